"""Passwords (issue 17, finding 4): the NIST rules on every path that sets one, the
change-password page, the administrator's reset, and what a change or a disable revokes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.api.models import ApiToken
from app.api.tokens import issue_token
from app.audit import AuditEvent
from app.auth.credentials import temporary_password
from app.auth.operations import assign_role, create_user
from app.auth.password_rules import password_problem
from app.demo import DEMO_PASSWORD
from ledger.organisations import by_code
from ledger.users import User
from tests.app.conftest import csrf_token, login, user_id

STRONG = "teapot lantern 47 quietly"
SECRETARY = "secretary-q010101"


def _token(session, username: str) -> str:
    _, secret = issue_token(session, session.scalar(select(User).where(User.username == username)), "finance app")
    session.commit()
    return secret


def _me(app, secret: str) -> int:
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code


def _change(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current_password": current,
        "new_password": new, "confirm": new if confirm is None else confirm,
    })


def _hash(session, username: str) -> str:
    session.expire_all()
    return session.scalar(select(User.password_hash).where(User.username == username))


# ---- the rules -------------------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "1234567890", "password12", "qwertyuiop", "woaini1314", "5201314", "123456789a", "a1b2c3d4",
    "qwertyuiopasdfgh", "1234567890123456", "password12345678", "woaini1314woaini1314", "iloveyou1314520!",
    "1qaz2wsx3edc4rfv", "ｐａｓｓｗｏｒｄ１２３４５６７８", "aaaaaaaaaaaaaaaaaaaa", "x" * 257,
    "Community-Service-Funds-1", "我的社区服务经费账号密码",
])
def test_short_common_and_patterned_passwords_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password,username", [
    ("\ufdfa", "someone"),  # one character that NFKC turns into 18
    ("pass\u00adword12345678", "someone"),  # a soft hyphen hiding a common password
    ("pass\u200bword\u200b12345678", "someone"),  # zero-width spaces likewise
    ("q010102-yraterces", "secretary-q010102"),  # a part of the name, another reversed
    ("finances0101abcdef", "finance-s0101"),  # the name without its punctuation
    ("1010s-ecnanif-abcdefg", "finance-s0101"),  # the name reversed
])
def test_what_only_looks_long_or_new_is_refused(password, username):
    assert password_problem(password, username) is not None


@pytest.mark.parametrize("password", [
    STRONG, "我家楼下那棵老槐树今年开花特别早", "correct horse battery staple", DEMO_PASSWORD, "x" * 20 + "9q" + "z" * 200,
])
def test_long_uncommon_passwords_of_any_characters_are_accepted(password):
    assert password_problem(password) is None


def test_a_generated_temporary_password_meets_the_rules():
    assert all(password_problem(temporary_password()) is None for _ in range(50))


# ---- the change-password page ----------------------------------------------------------

@pytest.mark.parametrize("new,confirm,message", [
    ("password12", None, "密码至少需要 15 个字符"),
    ("qwertyuiopasdfgh", None, "这个密码太常见"),
    ("1234567890123456", None, "这个密码太常见"),
    ("secretary-q010101 garden", None, "密码不能包含用户名"),
    ("春华一社区书记的新密码很长很长", None, "密码不能包含您的姓名"),
    (STRONG, STRONG + "x", "两次输入的新密码不一致"),
    (DEMO_PASSWORD, None, "新密码不能与当前密码相同"),
])
def test_a_weak_new_password_is_refused_next_to_the_field(world, session, login_as, new, confirm, message):
    client = login_as(SECRETARY)
    before = _hash(session, SECRETARY)
    response = _change(client, DEMO_PASSWORD, new, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _hash(session, SECRETARY) == before


def test_a_wrong_current_password_is_refused_and_then_slowed(world, session, login_as):
    client = login_as(SECRETARY)
    before = _hash(session, SECRETARY)
    for _ in range(5):
        response = _change(client, "not my password at all", STRONG)
        assert response.status_code == 200 and "当前密码不正确" in response.get_data(as_text=True)
    response = _change(client, DEMO_PASSWORD, STRONG)  # right now, but one attempt too many
    assert response.status_code == 429 and "修改密码的尝试次数过多" in response.get_data(as_text=True)
    assert _hash(session, SECRETARY) == before


def test_the_change_needs_a_csrf_token(world, session, login_as):
    client = login_as(SECRETARY)
    before = _hash(session, SECRETARY)
    response = client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": STRONG, "confirm": STRONG})
    assert response.status_code == 400
    assert _hash(session, SECRETARY) == before


def test_every_page_links_to_the_change_page(world, login_as):
    assert 'href="/account/password"' in login_as(SECRETARY).get("/home").get_data(as_text=True)


def test_a_change_ends_the_other_logins_and_tokens_and_keeps_this_browser(app, world, session, login_as):
    here, elsewhere = login_as(SECRETARY), login_as(SECRETARY)
    secret = _token(session, SECRETARY)
    assert _me(app, secret) == 200

    response = _change(here, DEMO_PASSWORD, STRONG)
    assert response.status_code == 302
    home = here.get("/home")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "密码已修改" in page and "已作废 1 个接口令牌" in page
    assert elsewhere.get("/home").status_code == 302
    assert _me(app, secret) == 401
    assert login(app.test_client(), SECRETARY, DEMO_PASSWORD).status_code == 200  # refused: the form again
    assert login(app.test_client(), SECRETARY, STRONG).status_code == 302

    uid = user_id(session, SECRETARY)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == uid)).all()
    assert "password.change" in actions and "api_token.revoke" in actions


# ---- the administrator's reset ---------------------------------------------------------

def _reset(admin, uid: int):
    return admin.post(f"/admin/users/{uid}/password", data={"csrf_token": csrf_token(admin, "/home")})


def test_a_reset_shows_a_temporary_password_once_and_forces_a_change(app, world, session, login_as):
    victim = login_as(SECRETARY)
    secret = _token(session, SECRETARY)
    uid = user_id(session, SECRETARY)
    response = _reset(login_as("admin"), uid)
    assert response.status_code == 200
    temporary = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert victim.get("/home").status_code == 302  # the old login has ended
    assert _me(app, secret) == 401
    assert login(app.test_client(), SECRETARY, DEMO_PASSWORD).status_code == 200  # refused

    client = app.test_client()
    assert login(client, SECRETARY, temporary).status_code == 302
    for path in ("/home", "/community/", "/street/", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password"), path
    assert "管理员已重置您的密码" in client.get("/account/password").get_data(as_text=True)

    assert _change(client, temporary, STRONG).status_code == 302
    assert client.get("/home").status_code == 200
    session.expire_all()
    assert session.get(User, uid).must_change_password is False
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "password.reset",
                                                   AuditEvent.object_id == uid)) is not None


def test_logging_out_works_while_a_change_is_due(app, world, session, login_as):
    uid = user_id(session, SECRETARY)
    page = _reset(login_as("admin"), uid).get_data(as_text=True)
    temporary = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    client = app.test_client()
    login(client, SECRETARY, temporary)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    assert client.get("/account/password").status_code == 302  # logged out: to the login page


def test_a_token_cannot_be_made_while_a_change_is_due(app, world, session, login_as):
    uid = user_id(session, SECRETARY)
    _reset(login_as("admin"), uid)
    user = session.get(User, uid)
    with pytest.raises(Exception, match="must change their password"):
        issue_token(session, user, "finance app")


@pytest.mark.parametrize("who", ["secretary-q010101", "committee-s0101", "finance-s0101"])
def test_only_an_administrator_resets_a_password(world, session, login_as, who):
    uid = user_id(session, "secretary-q010102")
    before = _hash(session, "secretary-q010102")
    assert _reset(login_as(who), uid).status_code in (403, 404)
    assert _hash(session, "secretary-q010102") == before


def test_an_administrator_resets_no_one_of_another_city(world, session, login_as):
    uid = user_id(session, "secretary-xq010101")
    assert _reset(login_as("admin"), uid).status_code == 404


def test_an_administrator_resets_or_disables_no_one_who_also_serves_another_city(world, session, login_as):
    """Another city's administrator who also helps a community of ours: our administrator
    may not take over (or lock out) the account, whose password opens the other city too."""
    user = create_user(session, "dual-admin", "外市管理员兼社区工作者", "a-long-secret-for-x", role="admin",
                       org=by_code(session, "XDEMO"), fast_hash=True)
    assign_role(session, user, "community_staff", by_code(session, "Q010103"))
    session.commit()
    dual = user.id
    admin = login_as("admin")
    before = _hash(session, "dual-admin")
    assert _reset(admin, dual).status_code == 403
    toggled = admin.post(f"/admin/users/{dual}/active", data={"csrf_token": csrf_token(admin, "/home")})
    assert toggled.status_code == 403
    session.expire_all()
    assert _hash(session, "dual-admin") == before and session.get(User, dual).is_active


def test_a_reset_needs_a_csrf_token(world, session, login_as):
    uid = user_id(session, SECRETARY)
    before = _hash(session, SECRETARY)
    assert login_as("admin").post(f"/admin/users/{uid}/password").status_code == 400
    assert _hash(session, SECRETARY) == before


def test_an_administrator_does_not_reset_their_own_password(world, session, login_as):
    admin = login_as("admin")
    before = _hash(session, "admin")
    page = _reset(admin, user_id(session, "admin"))
    assert page.status_code == 302
    assert "请在“修改密码”页面修改自己的密码" in admin.get(page.headers["Location"]).get_data(as_text=True)
    assert _hash(session, "admin") == before


# ---- creating users and disabling them --------------------------------------------------

@pytest.mark.parametrize("password,message", [
    ("1234567890", "密码至少需要 15 个字符"), ("qwertyuiopasdfgh", "这个密码太常见"),
    ("password12345678", "这个密码太常见"),
])
def test_the_admins_user_form_refuses_weak_passwords(world, session, login_as, password, message):
    admin = login_as("admin")
    page = admin.post("/admin/users/new", data={
        "csrf_token": csrf_token(admin, "/home"), "username": "zhang.wei", "display_name": "张伟",
        "password": password, "role": "community_staff", "organisation": by_code(session, "Q010103").id,
    }).get_data(as_text=True)
    assert message in page
    assert session.scalar(select(User).where(User.username == "zhang.wei")) is None


def test_the_command_line_refuses_a_common_password(app, session):
    app.test_cli_runner().invoke(args=["demo", "load"])
    result = app.test_cli_runner().invoke(args=[
        "user", "create", "wang.fang", "--name", "王芳", "--role", "street_finance", "--org", "S0101",
        "--password", "password12345678"])
    assert result.exit_code != 0 and "password: This password is too common" in result.output


def test_a_disabled_users_tokens_stay_revoked_after_re_enabling(app, world, session, login_as):
    secret = _token(session, "finance-s0101")
    uid = user_id(session, "finance-s0101")
    admin = login_as("admin")
    for _ in range(2):  # disable, then enable again
        admin.post(f"/admin/users/{uid}/active", data={"csrf_token": csrf_token(admin, "/home")})
    session.expire_all()
    assert session.get(User, uid).is_active
    assert _me(app, secret) == 401
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == uid, ApiToken.name == "finance app"))
    assert token.revoked_at is not None and token.revoked_by_id == user_id(session, "admin")
