"""Every route × every role × an organisation inside and outside the user's scope.

A route missing from ROUTES fails the first test, so no page can be added without
deciding who may use it. A refused request answers 403 or 404 (302 to the login page
for a visitor) and leaves every table exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text

from app.auth.models import RoleAssignment
from ledger.base import Base
from ledger.organisations import by_code
from tests.app.conftest import csrf_token, user_id

ROLES = ["anonymous", "admin", "oversight-d01", "committee-s0101", "finance-s0101", "secretary-q010101"]
EVERYONE = set(ROLES)
STAFF = EVERYONE - {"anonymous"}
ADMIN = {"admin"}


@dataclass
class Route:
    method: str
    url: str  # with {org}, {user} and {assignment} filled from the scope under test
    allowed: set[str]
    scoped: bool = False  # the URL names an object that belongs to an organisation
    data: dict = field(default_factory=dict)


ROUTES = {
    "public.index": Route("GET", "/", EVERYONE),
    "auth.login": Route("GET", "/login", EVERYONE),
    "auth.logout": Route("POST", "/logout", STAFF),
    "home.index": Route("GET", "/home", STAFF),
    "admin.organisations": Route("GET", "/admin/organisations", ADMIN),
    "admin.import_organisations": Route("GET", "/admin/organisations/import", ADMIN),
    "admin.rename_organisation": Route("POST", "/admin/organisations/{org}/edit", ADMIN, True,
                                       {"name": "改过的名字"}),
    "admin.add_child": Route("POST", "/admin/organisations/{org}/children/new", ADMIN, True,
                             {"code": "NEW1", "name": "新单位"}),
    "admin.users": Route("GET", "/admin/users", ADMIN),
    "admin.new_user": Route("GET", "/admin/users/new", ADMIN),
    "admin.user": Route("GET", "/admin/users/{user}", ADMIN, True),
    "admin.toggle_user": Route("POST", "/admin/users/{user}/active", ADMIN, True),
    "admin.revoke_role": Route("POST", "/admin/users/{user}/roles/{assignment}/revoke", ADMIN, True),
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(ROUTES), "add the new route to ROUTES with the roles allowed"


def _targets(session, scope: str) -> dict:
    """Object ids inside the demo city (``own``) or in another city (``foreign``)."""
    org = by_code(session, "Q010102" if scope == "own" else "OQ1")
    username = "secretary-q010102" if scope == "own" else "other-secretary"
    uid = user_id(session, username)
    assignment = session.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == uid))
    return {"org": org.id, "user": uid, "assignment": assignment}


def _snapshot(session) -> dict:
    """Every row of every table, but the login bookkeeping a request may touch."""
    session.expire_all()
    skip = {"login_sessions", "audit_events"}
    return {
        table.name: session.execute(text(f'SELECT * FROM "{table.name}" ORDER BY 1')).all()
        for table in Base.metadata.sorted_tables if table.name not in skip
    }


CASES = [
    (endpoint, role, scope)
    for endpoint, route in ROUTES.items()
    for role in ROLES
    for scope in (("own", "foreign") if route.scoped else ("own",))
]


@pytest.mark.parametrize("endpoint,role,scope", CASES, ids=["-".join(c) for c in CASES])
def test_access(app, demo, session, login_as, endpoint, role, scope):
    route = ROUTES[endpoint]
    client = app.test_client() if role == "anonymous" else login_as(role)
    url = route.url.format(**_targets(session, scope))
    allowed = role in route.allowed and scope == "own"
    before = _snapshot(session)

    if route.method == "GET":
        response = client.get(url)
    else:
        data = {"csrf_token": csrf_token(client, "/login" if role == "anonymous" else "/home"), **route.data}
        response = client.post(url, data=data)

    if allowed:
        assert response.status_code in (200, 302), response.status_code
        assert "/login" not in response.headers.get("Location", "")
        return
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code
    assert _snapshot(session) == before, "a refused request changed the database"


def test_an_admin_sees_no_user_of_another_city(demo, login_as):
    page = login_as("admin").get("/admin/users").get_data(as_text=True)
    assert "secretary-q010101" in page
    assert "other-secretary" not in page and "other-admin" not in page


def test_an_admin_sees_no_organisation_of_another_city(demo, login_as):
    page = login_as("admin").get("/admin/organisations").get_data(as_text=True)
    assert "春华一社区" in page and "外市一社区" not in page
