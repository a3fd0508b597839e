"""The administrator's pages: organisations and users, with clear errors and nothing lost."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit import AuditEvent
from app.auth.models import RoleAssignment
from ledger.organisations import Organisation, by_code
from ledger.users import User
from tests.app.conftest import csrf_token, login, user_id


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_admin_adds_a_community_under_a_street_and_it_is_audited(world, session, login_as):
    admin = login_as("admin")
    street = by_code(session, "S0101")
    response = admin.post(f"/admin/organisations/{street.id}/children/new", data={
        "csrf_token": csrf_token(admin, "/home"), "code": "Q010104", "name": "春华四社区"})
    assert response.status_code == 302
    session.expire_all()
    new = by_code(session, "Q010104")
    assert new.level == "community" and new.path == "/DEMO/D01/S0101/Q010104/"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.create")).actor_id == user_id(session, "admin")


def test_a_duplicate_code_is_refused_next_to_the_field(world, session, login_as):
    admin = login_as("admin")
    street = by_code(session, "S0101")
    before = _count(session, Organisation)
    response = admin.post(f"/admin/organisations/{street.id}/children/new", data={
        "csrf_token": csrf_token(admin, "/home"), "code": "Q010101", "name": "重复"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "编码 Q010101 已被使用" in page and 'value="重复"' in page  # the input is kept
    assert _count(session, Organisation) == before


def test_a_blank_name_is_refused_with_a_message(world, session, login_as):
    admin = login_as("admin")
    org = by_code(session, "Q010101")
    response = admin.post(f"/admin/organisations/{org.id}/edit", data={
        "csrf_token": csrf_token(admin, "/home"), "name": "   "})
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    session.expire_all()
    assert by_code(session, "Q010101").name == "春华一社区"


def test_import_with_a_bad_row_imports_nothing_and_lists_the_row(world, session, login_as):
    admin = login_as("admin")
    csv = "code,name,level,parent_code\nD03,河南区,district,DEMO\nS0301,新华街道,street,D03\nQ9,错,community,D03\n"
    before = _count(session, Organisation)
    response = admin.post("/admin/organisations/import", data={
        "csrf_token": csrf_token(admin, "/home"), "file": (io.BytesIO(csv.encode()), "tree.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "未导入任何内容" in page and "<td>4</td>" in page and "社区不能放在区之下" in page
    assert _count(session, Organisation) == before


def test_import_of_a_good_file_creates_everything(world, session, login_as):
    admin = login_as("admin")
    csv = "\ufeffcode,name,level,parent_code\nS0301,新华街道,street,D03\nD03,河南区,district,DEMO\n"
    response = admin.post("/admin/organisations/import", data={
        "csrf_token": csrf_token(admin, "/home"), "file": (io.BytesIO(csv.encode()), "tree.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    session.expire_all()
    assert by_code(session, "S0301").parent.code == "D03"


def test_import_cannot_reach_outside_the_admins_city(world, session, login_as):
    admin = login_as("admin")
    csv = "code,name,level,parent_code\nOS9,外市新街道,street,XD01\n"
    response = admin.post("/admin/organisations/import", data={
        "csrf_token": csrf_token(admin, "/home"), "file": (io.BytesIO(csv.encode()), "tree.csv")},
        content_type="multipart/form-data")
    assert "不在您管理的组织机构范围内" in response.get_data(as_text=True)
    assert by_code(session, "OS9") is None


def test_import_refuses_a_file_that_is_not_utf8(world, login_as):
    admin = login_as("admin")
    data = "code,name,level,parent_code\nD03,河南区,district,DEMO\n".encode("gbk")
    response = admin.post("/admin/organisations/import", data={
        "csrf_token": csrf_token(admin, "/home"), "file": (io.BytesIO(data), "tree.csv")},
        content_type="multipart/form-data")
    assert "不是 UTF-8 编码" in response.get_data(as_text=True)


def test_admin_creates_a_user_who_can_log_in(app, world, session, login_as):
    admin = login_as("admin")
    community = by_code(session, "Q010103")
    response = admin.post("/admin/users/new", data={
        "csrf_token": csrf_token(admin, "/home"), "username": "zhang.wei", "display_name": "张伟",
        "password": "a-long-secret-9", "role": "community_staff", "organisation": community.id})
    assert response.status_code == 302
    assert login(app.test_client(), "zhang.wei", "a-long-secret-9").status_code == 302
    assert login(app.test_client(), " Zhang.WEI", "a-long-secret-9").status_code == 302  # as typed on a phone


def test_the_database_keeps_one_account_per_name_whatever_its_case(world, session):
    session.add(User(username="Admin", display_name="冒名管理员"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_user_form_errors_are_shown_next_to_each_field(world, session, login_as):
    admin = login_as("admin")
    street = by_code(session, "S0101")
    before = _count(session, User)
    cases = [
        ({"username": "ab", "password": "a-long-secret-9"}, "用户名须为 3 至 64 个字母"),
        ({"username": "admin", "password": "a-long-secret-9"}, "用户名 admin 已被占用"),
        ({"username": "ADMIN", "password": "a-long-secret-9"}, "用户名 ADMIN 已被占用"),  # one name in any case
        ({"username": "li.na", "password": "short"}, "密码至少需要 15 个字符"),
        ({"username": "li.na", "password": "li.na-secret-12"}, "密码不能包含用户名"),
    ]
    for fields, message in cases:
        data = {"csrf_token": csrf_token(admin, "/home"), "display_name": "李娜",
                "role": "street_finance", "organisation": street.id, **fields}
        page = admin.post("/admin/users/new", data=data).get_data(as_text=True)
        assert message in page, message
    data = {"csrf_token": csrf_token(admin, "/home"), "display_name": "李娜", "username": "li.na",
            "password": "a-long-secret-9", "role": "community_staff", "organisation": street.id}
    assert "该角色应授予到社区，而不是街道" in admin.post("/admin/users/new", data=data).get_data(as_text=True)
    assert _count(session, User) == before


def test_an_organisation_id_not_in_the_list_is_refused(world, session, login_as):
    admin = login_as("admin")
    foreign = by_code(session, "XQ010101")
    data = {"csrf_token": csrf_token(admin, "/home"), "display_name": "李娜", "username": "li.na",
            "password": "a-long-secret-9", "role": "community_staff", "organisation": foreign.id}
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 200 and "li.na" not in [u.username for u in session.scalars(select(User))]


def test_admin_adds_and_removes_a_role(world, session, login_as):
    admin = login_as("admin")
    uid = user_id(session, "secretary-q010101")
    street = by_code(session, "S0101")
    admin.post(f"/admin/users/{uid}", data={
        "csrf_token": csrf_token(admin, "/home"), "role": "street_committee", "organisation": street.id})
    session.expire_all()
    added = session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == uid, RoleAssignment.role == "street_committee"))
    assert added is not None
    added_id = added.id
    admin.post(f"/admin/users/{uid}/roles/{added_id}/revoke", data={"csrf_token": csrf_token(admin, "/home")})
    session.expire_all()
    assert session.get(RoleAssignment, added_id) is None


def test_admin_cannot_disable_their_own_account(world, session, login_as):
    admin = login_as("admin")
    uid = user_id(session, "admin")
    response = admin.post(f"/admin/users/{uid}/active", data={"csrf_token": csrf_token(admin, "/home")}, follow_redirects=True)
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, uid).is_active
