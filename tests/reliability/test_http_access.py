"""Access beyond the matrix: guessed ids, CSRF, fixation, replayed cookies, headers everywhere.

``tests/app/test_access_matrix.py`` tries one object per kind in an own, a sibling and a
foreign community with a valid CSRF token. Here: every object of the foreign city (up to
a sample per kind) under every id-taking URL for every logged-in role; every POST of the
matrix without or with a wrong CSRF token; planted and replayed cookies; and the security
headers on every route of the matrix and on every kind of error page.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.jobs.models import Job
from app.routing import MAX_ID
from app.security import CONTENT_SECURITY_POLICY
from ledger.books import Book
from ledger.organisations import Organisation
from ledger.vouchers import Voucher
from tests.app.access import ROLES
from tests.app.conftest import app, login_as, session, user_id, world  # noqa: F401  (fixtures)
from tests.app.test_access_matrix import ROUTES, targets
from tests.reliability.http_support import counts, csrf_of, rows
from workflows.evaluation import Evaluation
from workflows.evidence import Evidence
from workflows.needs import Need
from workflows.projects import Project
from workflows.publicity import Objection, PublicNotice

STAFF_ROLES = [r for r in ROLES if r != "anonymous"]
#: Foreign objects tried per kind (spread over all of them), per role.
SAMPLE = 12


def _foreign(session, model, org_column) -> list[int]:
    ids = session.scalars(
        select(model.id).join(Organisation, Organisation.id == org_column)
        .where(Organisation.path.startswith("/XDEMO/")).order_by(model.id)
    ).all()
    step = max(1, len(ids) // SAMPLE)
    return list(ids[::step][:SAMPLE])


def guessed_urls(session) -> list[str]:
    """URLs naming objects of the foreign city, each one reached from an own-city URL where it can be."""
    projects = _foreign(session, Project, Project.community_id)
    vouchers = session.scalars(
        select(Voucher.id).join(Book).join(Organisation, Organisation.id == Book.organisation_id)
        .where(Organisation.path.startswith("/XDEMO/")).order_by(Voucher.id)).all()
    vouchers = list(vouchers[::max(1, len(vouchers) // SAMPLE)][:SAMPLE])
    evidence = session.scalars(select(Evidence.id).join(Project, Project.id == Evidence.project_id)
                               .join(Organisation, Organisation.id == Project.community_id)
                               .where(Organisation.path.startswith("/XDEMO/")).order_by(Evidence.id)).all()
    objections = session.scalars(select(Objection.id).join(PublicNotice)
                                 .join(Organisation, Organisation.id == PublicNotice.community_id)
                                 .where(Organisation.path.startswith("/XDEMO/"))).all()
    urls = []
    for pid in projects:
        urls += [("/community/projects/{}", pid), ("/oversight/projects/{}", pid), ("/street/S0101/review/{}", pid),
                 ("/c/Q010101/projects/{}", pid), ("/api/v1/projects/{}", pid)]
    urls += [("/finance/vouchers/{}", vid) for vid in vouchers]
    urls += [("/finance/books/{}", bid) for bid in _foreign(session, Book, Book.organisation_id)]
    urls += [("/community/evidence/{}", eid) for eid in evidence[:SAMPLE]]
    urls += [("/c/Q010101/notices/{}", nid) for nid in _foreign(session, PublicNotice, PublicNotice.community_id)]
    urls += [("/community/needs/{}", nid) for nid in _foreign(session, Need, Need.community_id)]
    urls += [("/jobs/{}", jid) for jid in _foreign(session, Job, Job.organisation_id)]
    urls += [("/evaluation/{}", eid) for eid in _foreign(session, Evaluation, Evaluation.organisation_id)]
    urls += [("/community/objections/{}/answer", oid) for oid in objections[:SAMPLE]]
    return urls


def test_guessed_ids_of_another_city_answer_404_for_every_role(app, world, session, login_as):  # noqa: F811
    targets(session, "foreign")  # the matrix's foreign jobs and vouchers exist too
    urls = guessed_urls(session)
    assert len(urls) > 100, len(urls)
    checked = 0
    for role in STAFF_ROLES:
        client = login_as(role)
        token = csrf_of(client, "/home")
        def fetch(url):
            if url.endswith("/answer"):
                return client.post(url, data={"csrf_token": token, "answer": "越权答复"})
            return client.get(url)

        nowhere = {template: fetch(template.format(MAX_ID)).status_code for template, _ in urls}
        for template, object_id in urls:
            url = template.format(object_id)
            response = fetch(url)
            # 404 as for an id that does not exist (a 403 only where the role lacks the page altogether).
            assert response.status_code == nowhere[template], (role, url, response.status_code)
            assert response.status_code in (401, 403, 404), (role, url, response.status_code)
            assert "外市" not in response.get_data(as_text=True), (role, url, "foreign content shown")
            checked += 1
    print(f"guessed foreign ids: {checked} requests, none answered")
    assert all(r._mapping["answer"] != "越权答复" for r in rows(session, "objections"))


POSTS = sorted((endpoint, route) for endpoint, route in ROUTES.items()
               if route.method == "POST" and not route.api)


def _allowed_role(route) -> str:
    return "secretary-q010101" if route.public else sorted(route.allowed)[0]


@pytest.mark.parametrize("how", ["missing", "wrong", "another-session"])
def test_every_post_without_a_valid_csrf_token_is_400_and_changes_nothing(app, world, session, login_as, how):  # noqa: F811
    ids = targets(session, "own")
    other = login_as("admin")
    other_token = csrf_of(other, "/home")
    clients = {}
    for endpoint, route in POSTS:
        role = _allowed_role(route)
        client = clients.get(role) or clients.setdefault(role, login_as(role))
        data = route.data(ids) if callable(route.data) else dict(route.data)
        data = {k.format(**ids): v for k, v in data.items()}
        if how == "wrong":
            data["csrf_token"] = "IjBhZGMwZmZlZSI.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"
        elif how == "another-session":
            data["csrf_token"] = other_token
        before = counts(session)
        response = client.post(route.url.format(**ids), data=data)
        assert response.status_code == 400, (endpoint, how, response.status_code)
        assert "表单已过期" in response.get_data(as_text=True), endpoint
        assert counts(session) == before, (endpoint, how)


def test_a_planted_or_forged_cookie_is_never_adopted(app, world):  # noqa: F811
    attacker = app.test_client()
    csrf_of(attacker, "/login")
    planted = attacker.get_cookie("session").value
    victim = app.test_client()
    victim.set_cookie("session", planted)
    victim.set_cookie("remember_token", "1|forged")
    from tests.app.conftest import login

    assert login(victim, "finance-s0101").status_code == 302
    assert victim.get_cookie("session").value != planted
    attacker.set_cookie("session", planted)
    assert attacker.get("/home").status_code == 302  # the attacker's copy is still anonymous
    forged = app.test_client()
    forged.set_cookie("session", '{"_user_id": "1"}')
    forged.set_cookie("remember_token", "1|" + "0" * 64)
    assert forged.get("/home").status_code == 302


def test_a_cookie_replayed_after_disable_stays_dead_after_re_enable(app, world, session, login_as):  # noqa: F811
    victim = login_as("secretary-q010102")
    cookie = victim.get_cookie("session").value
    admin = login_as("admin")
    uid = user_id(session, "secretary-q010102")
    toggle = f"/admin/users/{uid}/active"
    assert admin.post(toggle, data={"csrf_token": csrf_of(admin, "/home")}).status_code in (302, 303)
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/home").status_code == 302
    assert admin.post(toggle, data={"csrf_token": csrf_of(admin, "/home")}).status_code in (302, 303)
    again = app.test_client()
    again.set_cookie("session", cookie)
    response = again.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert again.get("/community/Q010102").status_code == 302


# ---- security headers --------------------------------------------------------------------------

def assert_security_headers(response, where) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp == CONTENT_SECURITY_POLICY, (where, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "frame-ancestors 'none'" in csp and headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where


def test_every_route_and_every_error_page_carries_the_security_headers(app, world, session, login_as):  # noqa: F811
    ids = targets(session, "own")
    clients = {"anonymous": app.test_client()}
    checked = 0
    for endpoint, route in sorted(ROUTES.items()):
        for role in ("anonymous", _allowed_role(route)) if route.allowed or route.public else ("anonymous",):
            client = clients.get(role) or clients.setdefault(role, login_as(role))
            url = route.url.format(**ids)
            if route.method == "GET":
                response = client.get(url)
            else:
                data = route.data(ids) if callable(route.data) else dict(route.data)
                response = client.post(url, data={"csrf_token": csrf_of(client, "/login" if role == "anonymous"
                                                                         else "/home"), **data})
            assert response.status_code != 500, (endpoint, role)
            assert_security_headers(response, (endpoint, role, response.status_code))
            checked += 1
    secretary = clients.get("secretary-q010101") or login_as("secretary-q010101")
    errors = {
        404: secretary.get("/no/such/page"),
        403: secretary.get("/admin/users"),
        400: secretary.post("/logout", data={}),
        405: secretary.put("/home"),
        "api-404": secretary.get("/api/v1/nothing"),
        "static": secretary.get("/static/css/site.css"),
    }
    app.config["MAX_CONTENT_LENGTH"] = 1024
    errors[413] = secretary.post("/community/Q010101/needs/new", data={"description": "x" * 4096})
    guesser = app.test_client()
    token = csrf_of(guesser, "/login")
    for n in range(12):
        errors[429] = guesser.post("/login", data={"csrf_token": token, "username": f"u{n}", "password": "x" * 12},
                                   environ_base={"REMOTE_ADDR": "10.99.0.1"})
    for status, response in errors.items():
        if isinstance(status, int):
            assert response.status_code == status, (status, response.status_code)
        assert_security_headers(response, status)
        checked += 1
    print(f"security headers: {checked} responses checked")
