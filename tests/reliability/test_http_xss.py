"""Script payloads typed into every user-visible text field are shown as text, to every role.

Each form of ``test_http_forms.FORMS`` is submitted once with the payloads in all its text
fields (and an evidence file and a user carry them in their names); then every page of the
access matrix, and the page each submission led to, is fetched by every role. The payload
must never appear as markup, and must appear escaped somewhere (so the test sees it shown).
"""

from __future__ import annotations

import io

from tests.app.access import ROLES
from tests.app.conftest import app, login_as, session, world  # noqa: F401  (fixtures)
from tests.app.test_access_matrix import ROUTES, targets
from tests.reliability.http_support import csrf_of
from tests.reliability.test_http_forms import FORMS, PDF, Poster, _ids

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + IMG
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")


def _enter_payloads(app, session, login_as) -> list[tuple[str, str]]:
    """Submit every form with the payload in its text fields; the pages they lead to, by role."""
    shown = []
    for name, form in FORMS.items():
        if not form.texts:
            continue
        ids = _ids(session, form)
        poster = Poster(app, login_as, form, ids)
        response = poster.post({field.format(**ids): PAYLOAD for field in form.texts})
        assert response.status_code in (302, 303), (name, response.status_code)
        shown.append((form.role, response.headers["Location"]))
    secretary = login_as("secretary-q010101")
    ids = targets(session, "own")
    response = secretary.post(f"/community/projects/{ids['cm_running']}/evidence", data={
        "csrf_token": csrf_of(secretary, "/home"), "kind": "other",
        "file": (io.BytesIO(PDF + b"% xss\n"), f"{IMG[2:]}.pdf")}, content_type="multipart/form-data")
    assert response.status_code in (302, 303), ("evidence", response.status_code)  # (browsers send " as %22)
    admin = login_as("admin")
    response = admin.post("/admin/users/new", data={
        "csrf_token": csrf_of(admin, "/home"), "username": "xss-user", "display_name": PAYLOAD,
        "password": "xss-password-2026", "role": "community_staff", "organisation": str(ids["org"])})
    assert response.status_code in (302, 303), ("user", response.status_code)
    return shown


def test_script_payloads_are_shown_only_as_text_on_every_page_for_every_role(app, world, session, login_as):  # noqa: F811
    clients = {}

    def logged_in(role):  # one login per role: logins are rate-limited per user name
        if role not in clients:
            clients[role] = login_as(role)
        return clients[role]

    shown = _enter_payloads(app, session, logged_in)
    ids = targets(session, "own")
    pages = [route.url.format(**ids) for route in ROUTES.values() if route.method == "GET"]
    pages += ["/admin/users", "/community/Q010101/needs", "/finance/queue", "/c/Q010101"]
    checks, escaped_seen = 0, 0
    for role in ROLES:
        client = app.test_client() if role == "anonymous" else logged_in(role)
        for url in pages + [location for who, location in shown if who == role]:
            response = client.get(url)
            if response.mimetype not in ("text/html", "application/json", "application/problem+json"):
                continue
            body = response.get_data(as_text=True)
            assert SCRIPT not in body and "<img src=x" not in body, (role, url)
            escaped_seen += sum(body.count(e) for e in ESCAPED)
            checks += 2
    print(f"script payloads: {checks} payload × page checks")
    assert escaped_seen > 50, escaped_seen
