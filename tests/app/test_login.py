"""Logging in and out: sessions that really end, no fixation, no open redirect, rate limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.auth.models import LoginSession
from app.demo import DEMO_PASSWORD
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


def _try(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "username": username,
                                       "password": password}, environ_base={"REMOTE_ADDR": address})


def test_login_attempts_are_rate_limited_per_address(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    codes = [
        client.post("/login", data={"csrf_token": token, "username": f"user{i}", "password": "x" * 12}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    page = client.post("/login", data={"csrf_token": token}).get_data(as_text=True)
    assert "尝试次数过多" in page and 'name="username"' in page  # the login form, with the reason


def test_guesses_from_one_address_stop_there_and_the_user_logs_in_from_elsewhere(app, world):
    attacker = app.test_client()
    codes = [_try(attacker, "admin", f"guess-{n}", "198.51.100.66").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]
    refused = _try(attacker, "admin", DEMO_PASSWORD, "198.51.100.66")
    assert refused.status_code == 429  # even the right password: this address guessed too often
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert _try(app.test_client(), "admin", DEMO_PASSWORD, "192.0.2.10").status_code == 302


def test_many_addresses_slow_an_account_down_but_do_not_lock_it_out(app, world):
    codes = [_try(app.test_client(), "admin", "wrong-password", f"10.0.0.{i}").status_code for i in range(6)]
    assert codes == [200] * 6  # the sixth failure is past the account's limit: it takes the slow lane
    slowed = _try(app.test_client(), "admin", "wrong-password", "10.0.0.7")
    assert slowed.status_code == 429
    html = slowed.get_data(as_text=True)
    assert "每隔几秒才能尝试一次" in html and 'name="username"' in html


def test_the_browser_the_user_logged_in_with_is_not_slowed_by_guesses_from_elsewhere(app, world):
    own = app.test_client()
    assert _try(own, "admin", DEMO_PASSWORD, "192.0.2.10").status_code == 302  # remembers the account
    own.post("/logout", data={"csrf_token": csrf_token(own, "/home")})
    for i in range(8):
        _try(app.test_client(), "admin", "wrong-password", f"10.0.1.{i}")
    assert _try(app.test_client(), "admin", DEMO_PASSWORD, "10.0.1.99").status_code == 429  # a stranger waits
    assert _try(own, "admin", DEMO_PASSWORD, "192.0.2.10").status_code == 302  # the user does not


def test_a_forged_known_browser_cookie_counts_for_nothing(app, world):
    for i in range(8):
        _try(app.test_client(), "admin", "wrong-password", f"10.0.2.{i}")
    forger = app.test_client()
    forger.set_cookie("known_logins", "WyJhZG1pbiJd.forged")
    assert _try(forger, "admin", "wrong-password", "10.0.2.99").status_code == 429


def test_login_without_csrf_token_is_refused(app, world):
    response = app.test_client().post("/login", data={"username": "admin", "password": "shequ-demo-2026"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
