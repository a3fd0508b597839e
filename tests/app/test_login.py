"""Logging in and out: sessions that really end, no fixation, no open redirect, rate limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.auth.models import LoginSession
from tests.app.conftest import csrf_token, login, user_id


def test_every_demo_user_can_log_in_and_sees_their_own_organisation(app, world, login_as):
    for account in world:
        client = login_as(account.username)
        home = client.get("/home").get_data(as_text=True)
        assert account.organisation.split(" (")[0] in home, account.username


def test_a_secretary_sees_only_her_community(world, login_as):
    home = login_as("secretary-q010101").get("/home").get_data(as_text=True)
    assert "春华一社区" in home
    assert "春华二社区" not in home and "明珠东社区" not in home


def test_a_street_sees_its_communities_and_no_others(world, login_as):
    home = login_as("committee-s0101").get("/home").get_data(as_text=True)
    assert all(name in home for name in ("春华一社区", "春华二社区", "春华三社区"))
    assert "秋实一社区" not in home and "明珠东社区" not in home


def test_wrong_password_is_refused_with_a_message_and_no_session(app, world, session):
    client = app.test_client()
    response = login(client, "admin", "wrong-password-123")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302
    assert session.scalars(select(LoginSession)).all() == []


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(app, world):
    response = login(app.test_client(), "nobody-here", "whatever-password")
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_logout_ends_the_session_so_a_replayed_cookie_fails(app, world, login_as):
    client = login_as("finance-s0101")
    cookie = client.get_cookie("session").value
    assert client.get("/home").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home")})
    assert client.get("/home").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_needs_a_csrf_token(app, world, login_as):
    client = login_as("finance-s0101")
    response = client.post("/logout", data={})
    assert response.status_code == 400
    assert client.get("/home").status_code == 200


def test_login_starts_a_new_session(app, world):
    client = app.test_client()
    csrf_token(client, "/login")
    before = client.get_cookie("session").value
    login(client, "admin")
    after = client.get_cookie("session").value
    assert before != after
    stale = app.test_client()
    stale.set_cookie("session", before)
    assert stale.get("/home").status_code == 302


def test_disabling_an_account_ends_its_open_sessions(app, world, session, login_as):
    victim = login_as("secretary-q010102")
    assert victim.get("/home").status_code == 200
    admin = login_as("admin")
    uid = user_id(session, "secretary-q010102")
    admin.post(f"/admin/users/{uid}/active", data={"csrf_token": csrf_token(admin, "/home")})
    assert victim.get("/home").status_code == 302
    assert login(app.test_client(), "secretary-q010102").status_code == 200  # refused, form again


def test_an_idle_session_expires(app, world, session, login_as):
    client = login_as("admin")
    row = session.scalars(select(LoginSession)).one()
    row.last_seen_at = row.last_seen_at - dt.timedelta(seconds=app.config["SESSION_IDLE_SECONDS"] + 5)
    session.commit()
    assert client.get("/home").status_code == 302


def test_next_parameter_cannot_redirect_to_another_site(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\n/evil.example"):
        response = client.post("/login", query_string={"next": target}, data={
            "csrf_token": token, "username": "admin", "password": "shequ-demo-2026"})
        assert response.headers["Location"] == "/home", target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/home")})
        token = csrf_token(client, "/login")


def test_a_safe_next_parameter_is_followed(app, world):
    client = app.test_client()
    response = client.post("/login?next=/admin/users", data={
        "csrf_token": csrf_token(client, "/login"), "username": "admin", "password": "shequ-demo-2026"})
    assert response.headers["Location"] == "/admin/users"


def test_login_attempts_are_rate_limited_per_address(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    codes = [
        client.post("/login", data={"csrf_token": token, "username": f"user{i}", "password": "x" * 12}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    assert "尝试次数过多" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)


def test_login_attempts_are_rate_limited_per_user_name_across_addresses(app, world):
    codes = []
    for i in range(6):
        client = app.test_client()
        token = csrf_token(client, "/login")
        codes.append(client.post(
            "/login", data={"csrf_token": token, "username": "admin", "password": "wrong-password"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code)
    assert codes == [200] * 5 + [429]


def test_login_without_csrf_token_is_refused(app, world):
    response = app.test_client().post("/login", data={"username": "admin", "password": "shequ-demo-2026"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
