"""Token authentication, scope, problem+json on every error, and the token commands."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.api.cli import api_token_group
from app.api.models import ApiToken
from app.api.tokens import digest, issue_token
from ledger.base import utcnow
from tests.app.conftest import login
from tests.app.test_api_world import api_world, client, user  # noqa: F401  (fixtures)

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


# ---- authentication ---------------------------------------------------------------------

def test_no_token_is_401_with_a_bearer_challenge(api_world, client):
    response = client.get("/api/v1/books")
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]


@pytest.mark.parametrize("header", [
    "Bearer nope", "Bearer ", "Basic dXNlcjpwYXNz", "bearer", "Bearer " + "x" * 5000, "Token abc",
])
def test_a_wrong_token_is_401(api_world, client, header):
    assert_problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_a_good_token_acts_as_its_user_and_is_touched(api_world, client, session):
    response = client.get("/api/v1/me", headers=api_world.headers("finance-s0101"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "finance-s0101"
    assert [r["organisation"] for r in body["roles"]] == ["S0101"]
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(api_world.tokens["finance-s0101"])))
    session.refresh(token)
    assert token.last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(api_world, session):
    secret = api_world.tokens["finance-s0101"]
    rows = session.scalars(select(ApiToken)).all()
    assert all(secret not in (row.token_hash, row.prefix, row.name) for row in rows)
    assert any(row.token_hash == digest(secret) for row in rows)


def test_a_revoked_token_stops_working(api_world, client):
    headers = api_world.headers("finance-s0101")
    tokens = client.get("/api/v1/tokens", headers=headers).get_json()["items"]
    mine = next(t for t in tokens if t["name"] == "tests finance-s0101")
    response = client.post(f"/api/v1/tokens/{mine['id']}/revoke", headers=headers)
    assert response.status_code == 200 and response.get_json()["revoked_at"]
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_nobody_revokes_another_users_token(api_world, client, session):
    other = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(api_world.tokens["finance2-s0101"])))
    assert_problem(client.post(f"/api/v1/tokens/{other.id}/revoke",
                               headers=api_world.headers("finance-s0101")), 404)
    assert client.get("/api/v1/me", headers=api_world.headers("finance2-s0101")).status_code == 200


def test_an_expired_token_stops_working(api_world, client, session):
    token, secret = issue_token(session, user(session, "finance-s0101"), "short", expires_in_days=1)
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token.created_at = utcnow() - dt.timedelta(days=3)
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_a_disabled_users_tokens_stop_working(api_world, client, session):
    headers = api_world.headers("finance-s0101")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    user(session, "finance-s0101").is_active = False
    session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_a_browser_login_does_not_authenticate_the_api(api_world, app):
    browser = app.test_client()
    assert login(browser, "finance-s0101").status_code == 302
    assert browser.get("/home").status_code == 200
    for url in ("/api/v1/me", "/api/v1/books", f"/api/v1/books/{api_world.books['Q010101']}"):
        assert_problem(browser.get(url), 401)
    body = {"date": "2026-03-01", "description": "x", "lines": []}
    response = browser.post(f"/api/v1/books/{api_world.books['Q010101']}/vouchers", json=body,
                            headers={"Idempotency-Key": "k"})
    assert_problem(response, 401)


def test_token_requests_need_no_csrf_token(api_world, client):
    response = client.post("/api/v1/organisations/Q010101/needs", json={
        "channel": "visit", "received_on": "2026-02-01", "description": "路灯坏了"},
        headers=api_world.headers("secretary-q010101"))
    assert response.status_code == 201


def test_the_openapi_document_needs_no_token(client):
    assert client.get("/api/v1/openapi.json").status_code == 200


# ---- scope ------------------------------------------------------------------------------

def test_a_street_token_sees_only_its_streets_books(api_world, client):
    items = client.get("/api/v1/books", headers=api_world.headers("finance-s0101")).get_json()["items"]
    assert sorted(b["organisation"] for b in items) == ["Q010101", "Q010102"]
    other = client.get("/api/v1/books", headers=api_world.headers("finance-s0102")).get_json()["items"]
    assert [b["organisation"] for b in other] == ["Q010201"]


@pytest.mark.parametrize("username,code,status", [
    ("finance-s0101", "Q010201", 404),    # another street of the same city
    ("finance-s0101", "XQ010101", 404),   # another city
    ("secretary-q010101", "Q010102", 404),  # a sibling community
    ("admin", "Q010101", 403),            # sees the organisation, may not read books
])
def test_foreign_books_and_vouchers_are_not_found(api_world, client, username, code, status):
    headers = api_world.headers(username)
    assert_problem(client.get(f"/api/v1/books/{api_world.books[code]}", headers=headers), status)
    assert_problem(client.get(f"/api/v1/books/{api_world.books[code]}/vouchers", headers=headers), status)
    assert_problem(client.get(f"/api/v1/vouchers/{api_world.vouchers[code]}", headers=headers), status)
    assert_problem(client.get(f"/api/v1/projects/{api_world.projects.get(code, 999999)}", headers=headers),
                   404 if code not in api_world.projects or status == 404 else 403)


def test_foreign_organisations_and_reports_are_not_found(api_world, client):
    headers = api_world.headers("finance-s0101")
    assert_problem(client.get("/api/v1/organisations/XQ010101", headers=headers), 404)
    assert_problem(client.get("/api/v1/organisations/XQ010101/trial-balance?fiscal_year=2026",
                              headers=headers), 404)
    assert_problem(client.get("/api/v1/books?organisation=Q010201", headers=headers), 404)
    assert_problem(client.get(f"/api/v1/needs/{api_world.needs['XQ010101']}", headers=headers), 404)
    codes = [o["code"] for o in client.get("/api/v1/organisations", headers=headers).get_json()["items"]]
    assert codes == ["S0101", "Q010101", "Q010102"]


def test_unknown_ids_are_404_like_foreign_ones(api_world, client):
    headers = api_world.headers("finance-s0101")
    for url in ("/api/v1/books/999999", "/api/v1/vouchers/999999", "/api/v1/projects/999999",
                "/api/v1/organisations/NOPE", "/api/v1/organisations/" + "N" * 40):
        assert_problem(client.get(url, headers=headers), 404)


@pytest.mark.parametrize("username", ["secretary-q010101", "committee-s0101", "oversight-d01", "admin"])
def test_roles_without_books_post_may_not_write_vouchers(api_world, client, username):
    response = client.post(f"/api/v1/books/{api_world.books['Q010101']}/vouchers",
                           headers=api_world.headers(username, **{"Idempotency-Key": "x1"}),
                           json={"date": "2026-03-01", "description": "x", "lines": []})
    assert_problem(response, 403)


# ---- problem+json for the HTTP errors ---------------------------------------------------

def test_unknown_urls_and_methods_are_problems(api_world, client):
    headers = api_world.headers("finance-s0101")
    assert_problem(client.get("/api/v1/nothing/here", headers=headers), 404)
    response = client.delete(f"/api/v1/vouchers/{api_world.vouchers['Q010101']}", headers=headers)
    body = assert_problem(response, 405)
    assert "GET" in response.headers["Allow"] and "GET" in body["detail"]
    assert_problem(client.put("/api/v1/books", headers=headers), 405)
    # The web pages keep their HTML errors.
    assert client.get("/no/such/page").mimetype == "text/html"


def test_too_many_requests_is_a_429_problem(api_world, app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = api_world.headers("finance-s0101")
    statuses = [client.get("/api/v1/me", headers=headers, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
                for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert_problem(client.get("/api/v1/me", headers=headers, environ_base={"REMOTE_ADDR": "10.9.9.9"}), 429)


def test_errors_speak_chinese_when_asked(api_world, client):
    body = assert_problem(client.get("/api/v1/books", headers={"Accept-Language": "zh-CN,zh;q=0.9"}), 401)
    assert "令牌" in body["title"]
    body = assert_problem(client.get("/api/v1/books", headers={"Accept-Language": "en-US"}), 401)
    assert "token" in body["title"]


# ---- the command line -------------------------------------------------------------------

def test_tokens_are_made_listed_and_revoked_on_the_command_line(api_world, app, client, session):
    runner = app.test_cli_runner()
    result = runner.invoke(api_token_group, ["create", "finance-s0101", "--name", "用友U8", "--expires-days", "30"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = runner.invoke(api_token_group, ["list", "finance-s0101"])
    assert "用友U8" in listing.output and secret not in listing.output
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(secret)))
    assert runner.invoke(api_token_group, ["revoke", str(token_id)]).exit_code == 0
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}), 401)
    assert runner.invoke(api_token_group, ["create", "nobody", "--name", "x"]).exit_code != 0


# ---- the access matrix's view: cookie-only clients ----------------------------------------

def test_the_access_module_lists_every_api_route(app):
    from tests.app.access import api as access

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert set(access.ROUTES) == endpoints


@pytest.mark.parametrize("role", ["anonymous", "admin", "finance-s0101", "secretary-q010101"])
def test_every_api_route_answers_cookie_clients_401(api_world, app, login_as, session, role):
    from tests.app.access import api as access
    from tests.app.conftest import csrf_token

    browser = app.test_client() if role == "anonymous" else login_as(role)
    for scope in ("own", "sibling", "foreign"):
        ids = access.targets(session, scope)
        for endpoint, route in access.ROUTES.items():
            url = route.url.format(**ids)
            if route.method == "GET":
                response = browser.get(url)
            else:
                token = csrf_token(browser, "/login" if role == "anonymous" else "/home")
                response = browser.post(url, data={"csrf_token": token, **route.data})
            if route.public:
                assert response.status_code == 200, endpoint
                continue
            assert route.api and response.status_code == 401, (endpoint, scope, response.status_code)
            assert response.mimetype == PROBLEM
