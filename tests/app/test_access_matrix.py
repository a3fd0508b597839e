"""Every route × every role × an organisation of its own, a sibling and a foreign one.

The routes are listed per area in ``tests/app/access/``. A route missing there fails the
first test, so no page can be added without deciding who may use it. A refused request
answers 403 or 404 (a visitor is sent to the login page) and leaves every table as it was.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import string

import pytest
from sqlalchemy import text

from app.extensions import db as flask_db
from app.extensions import limiter
from ledger.base import Base
from tests.app import access
from tests.app.access import COMMUNITY_ONLY, ROLES
from tests.app.conftest import csrf_token, make_app

MODULES = [importlib.import_module(f"{access.__name__}.{m.name}") for m in pkgutil.iter_modules(access.__path__)]
ROUTES = {endpoint: route for module in MODULES for endpoint, route in module.ROUTES.items()}
SCOPES = ("own", "sibling", "foreign")


@pytest.fixture(scope="module")
def _matrix_app(_states, _world, tmp_path_factory):
    instance = tmp_path_factory.mktemp("matrix-instance")
    shutil.copytree(_world, instance / "evidence")
    app = make_app(_states.url, instance, instance / "evidence")
    yield app, dict(app.config)
    with app.app_context():
        flask_db.engine.dispose()


@pytest.fixture
def app(_matrix_app, database):
    """One app for every case of this module (making one cost more than most cases): each
    case starts from the demo world as built, with the rate limits and cached pages gone."""
    app, config = _matrix_app
    app.config.clear()
    app.config.update(config)
    limiter.reset()
    pages = app.extensions["page_cache"]
    pages.backend.clear()
    pages.recent.clear()
    return app


#: The keys each area's ``targets`` gives, learnt from its first answer.
_KEYS: dict[str, set[str]] = {}


def targets(session, scope: str, needed: set[str] | None = None) -> dict:
    """The ids the routes name, from the areas that give any of ``needed`` (all when None)."""
    found = {}
    for module in MODULES:
        if not hasattr(module, "targets"):
            continue
        known = _KEYS.get(module.__name__)
        if needed is not None and known is not None and not (known & needed):
            continue
        answer = module.targets(session, scope)
        _KEYS[module.__name__] = set(answer)
        found.update(answer)
    return found


def _placeholders(route) -> set[str] | None:
    if callable(route.data):
        return None  # the data may name any id
    return {name for _, name, _, _ in string.Formatter().parse(route.url) if name}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - set(ROUTES) == set(), "add these routes to tests/app/access/<area>.py"
    assert set(ROUTES) - endpoints == set(), "these routes no longer exist"


def _snapshot(session) -> dict:
    """Every row of every table, but the login bookkeeping a request may touch."""
    session.expire_all()
    skip = {"login_sessions", "audit_events"}
    return {
        table.name: session.execute(text(f'SELECT * FROM "{table.name}" ORDER BY 1')).all()
        for table in Base.metadata.sorted_tables if table.name not in skip
    }


def _allowed(route, role: str, scope: str) -> bool:
    if route.public:
        return True  # residents' pages show every community's public board to anyone
    if scope == "foreign" or role not in route.allowed:
        return False
    return scope == "own" or role not in COMMUNITY_ONLY


CASES = [
    (endpoint, role, scope)
    for endpoint, route in sorted(ROUTES.items())
    for role in ROLES
    for scope in (SCOPES if route.scoped else ("own",))
]


@pytest.mark.parametrize("endpoint,role,scope", CASES, ids=["-".join(c) for c in CASES])
def test_access(app, world, session, login_as, endpoint, role, scope):
    route = ROUTES[endpoint]
    client = app.test_client() if role == "anonymous" else login_as(role)
    needed = _placeholders(route)
    ids = targets(session, scope, needed) if needed != set() else {}
    url = route.url.format(**ids)
    before = _snapshot(session)

    if route.method == "GET":
        response = client.get(url)
    else:
        data = route.data(ids) if callable(route.data) else route.data
        token = csrf_token(client, "/login" if role == "anonymous" else "/home")
        response = client.post(url, data={"csrf_token": token, **data})

    if route.api:
        assert response.status_code == 401, response.status_code
        assert response.mimetype == "application/problem+json"
        assert _snapshot(session) == before, "a cookie-authenticated API request changed the database"
        return
    if _allowed(route, role, scope):
        assert response.status_code in (200, 302, 303), response.status_code
        assert "/login" not in response.headers.get("Location", "")
        return
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code
    assert _snapshot(session) == before, "a refused request changed the database"


def test_an_admin_sees_no_user_of_another_city(world, login_as):
    page = login_as("admin").get("/admin/users").get_data(as_text=True)
    assert "secretary-q010101" in page
    assert "secretary-xq010101" not in page


def test_an_admin_sees_no_organisation_of_another_city(world, login_as):
    page = login_as("admin").get("/admin/organisations").get_data(as_text=True)
    assert "春华一社区" in page and "XQ010101" not in page


class _Huge(dict):
    """Every id and code a route names, as a number too large for any column."""

    def __missing__(self, key):
        return "99999999999999999999"


@pytest.mark.parametrize("endpoint", sorted(e for e, r in ROUTES.items() if not r.api))
def test_an_id_too_large_for_its_column_is_not_found_never_a_server_error(app, world, session, login_as, endpoint):
    """In the path, the query string and the form alike (the API's own test sends them by token)."""
    route = ROUTES[endpoint]
    role = next((r for r in ROLES if r in route.allowed), "anonymous")
    client = app.test_client() if role == "anonymous" else login_as(role)
    ids = _Huge()
    url = route.url.format_map(ids)
    if route.method == "GET":
        response = client.get(url)
    else:
        before = _snapshot(session)
        data = route.data(ids) if callable(route.data) else route.data
        token = csrf_token(client, "/login" if role == "anonymous" else "/home")
        response = client.post(url, data={"csrf_token": token, "organisation": ids["org"], **data})
        assert _snapshot(session) == before, "a request naming no real object changed the database"
    assert response.status_code < 500, (url, response.status_code)
