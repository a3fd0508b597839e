"""The community routes of the access matrix, run on the community tests' own world.

``tests/app/test_access_matrix.py`` runs the same table on the demo world; this runs it
where the objects are known to exist, so the area's table is checked on its own.
"""

from __future__ import annotations

import pytest

from tests.app.access import ROLES
from tests.app.access import community as table
from tests.app.access import foundation
from tests.app.conftest import csrf_token
from tests.app.test_access_matrix import _allowed, _snapshot
from tests.app.test_community_world import cworld  # noqa: F401

SCOPES = ("own", "sibling", "foreign")


def test_every_community_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("community.")}
    assert endpoints == set(table.ROUTES)


def _request(client, route, ids, anonymous):
    url = route.url.format(**ids)
    if route.method == "GET":
        return client.get(url)
    data = route.data(ids) if callable(route.data) else route.data
    token = csrf_token(client, "/login" if anonymous else "/home")
    return client.post(url, data={"csrf_token": token, **data})


@pytest.mark.parametrize("endpoint", sorted(table.ROUTES))
def test_access(app, cworld, session, login_as, endpoint):
    """Every role × scope of one route: the refused ones first (nothing may change), then the allowed."""
    route = table.ROUTES[endpoint]
    cases = [(role, scope) for role in ROLES for scope in (SCOPES if route.scoped else ("own",))]
    clients = {role: app.test_client() if role == "anonymous" else login_as(role) for role in ROLES}
    ids = {scope: {**foundation.targets(session, scope), **table.targets(session, scope)} for scope in SCOPES}
    for role, scope in sorted(cases, key=lambda c: _allowed(route, *c)):
        before = None if _allowed(route, role, scope) else _snapshot(session)
        response = _request(clients[role], route, ids[scope], role == "anonymous")
        where = f"{endpoint} {role} {scope}"
        if before is None:
            assert response.status_code in (200, 302, 303), (where, response.status_code)
            assert "/login" not in response.headers.get("Location", ""), where
        elif role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:
            assert response.status_code in (403, 404), (where, response.status_code)
        if before is not None:
            assert _snapshot(session) == before, f"{where}: a refused request changed the database"
