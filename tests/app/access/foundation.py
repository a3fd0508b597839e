"""Routes of the foundation: public landing, login, home, administration."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import RoleAssignment
from app.auth.operations import create_user
from app.system.notifications import Notification, notify
from ledger.organisations import by_code
from ledger.users import User

from . import ADMIN, EVERYONE, SECRETARY, STAFF, Route

ROUTES = {
    "public.index": Route("GET", "/", EVERYONE, public=True),
    "auth.login": Route("GET", "/login", EVERYONE, public=True),
    "auth.logout": Route("POST", "/logout", STAFF),
    "auth.change_password": Route("GET", "/account/password", STAFF),
    "home.index": Route("GET", "/home", STAFF),
    "admin.organisations": Route("GET", "/admin/organisations", ADMIN),
    "admin.import_organisations": Route("GET", "/admin/organisations/import", ADMIN),
    "admin.rename_organisation": Route("POST", "/admin/organisations/{org}/edit", ADMIN, True,
                                       {"name": "改过的名字"}),
    "admin.add_child": Route("POST", "/admin/organisations/{street}/children/new", ADMIN, True,
                             {"code": "NEW1", "name": "新单位"}),
    "admin.users": Route("GET", "/admin/users", ADMIN),
    "admin.new_user": Route("GET", "/admin/users/new", ADMIN),
    "admin.user": Route("GET", "/admin/users/{user}", ADMIN, True),
    "admin.toggle_user": Route("POST", "/admin/users/{user}/active", ADMIN, True),
    "admin.reset_password": Route("POST", "/admin/users/{reset_user}/password", ADMIN, True),
    "admin.revoke_role": Route("POST", "/admin/users/{user}/roles/{assignment}/revoke", ADMIN, True),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def targets(session, scope: str) -> dict:
    org = by_code(session, COMMUNITY[scope])
    username = f"secretary-{org.code.lower()}"
    uid = session.scalar(select(User.id).where(User.username == username))
    assignment = session.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == uid))
    # A second account of the community, whose password the matrix resets (the secretary
    # must keep hers: other tests log in as her after going through every route).
    reset_name = f"matrix-{org.code.lower()}"
    reset_user = session.scalar(select(User.id).where(User.username == reset_name))
    if reset_user is None:
        reset_user = create_user(session, reset_name, "矩阵测试", "teapot lantern 47 quietly", role="community_staff",
                                 org=org, fast_hash=True).id
    # A reminder addressed to the scope's community secretary (the checks make such rows).
    notify(session, f"matrix:{org.code}", org, "community_staff", "plan", "The %(year)s plan is due on %(due)s "
           "and has not been submitted.", year=2027, due="2026-12-31")
    session.commit()
    notification = session.scalar(select(Notification.id).where(Notification.key == f"matrix:{org.code}"))
    return {"org": org.id, "community": org.code, "street": org.parent_id, "street_code": org.parent.code,
            "user": uid, "reset_user": reset_user, "assignment": assignment, "notification": notification}

ROUTES["home.read_notification"] = Route("POST", "/home/notifications/{notification}/read", SECRETARY, True)
