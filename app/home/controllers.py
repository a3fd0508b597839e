"""The home page: one panel per role the user holds, with what that role works on."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ledger.organisations import Organisation, subtree
from ledger.users import User

from ..auth.models import RoleAssignment
from ..auth.roles import ROLES
from ..extensions import db
from ..admin.forms import ConfirmForm
from ..system.notifications import Notification, for_user, mark_read
from ..system.tasks import latest_heartbeat


def _communities_below(org: Organisation) -> list[Organisation]:
    stmt = subtree(org).where(Organisation.level == "community", Organisation.is_active.is_(True))
    return list(db.session.scalars(stmt.order_by(Organisation.path)))


def _count_by_level(org: Organisation) -> dict[str, int]:
    rows = db.session.execute(
        select(Organisation.level, func.count()).where(
            Organisation.path.startswith(org.path, autoescape=True)
        ).group_by(Organisation.level)
    )
    return dict(rows.all())


@login_required
def index():
    panels = []
    for assignment in current_user.assignments:
        org = assignment.organisation
        panel = {"role": ROLES[assignment.role], "org": org}
        if assignment.role in ("street_committee", "street_finance", "district_oversight"):
            by_street = defaultdict(list)
            for community in _communities_below(org):
                by_street[community.parent].append(community)
            panel["communities_by_street"] = dict(by_street)
        if assignment.role == "admin":
            panel["counts"] = _count_by_level(org)
            panel["users"] = db.session.scalar(
                select(func.count(func.distinct(RoleAssignment.user_id)))
                .join(RoleAssignment.organisation)
                .where(Organisation.path.startswith(org.path, autoescape=True))
            )
            panel["heartbeat"] = latest_heartbeat()
        panels.append(panel)
    notifications = [(n, gettext(n.template, **n.params)) for n in for_user(db.session, current_user)]
    return render_template("home/index.html", panels=panels, notifications=notifications, confirm=ConfirmForm())


@login_required
def read_notification(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification not in for_user(db.session, current_user, unread_only=False, limit=10_000):
        abort(404)
    if ConfirmForm().validate_on_submit():
        mark_read(db.session, current_user, notification)
        db.session.commit()
    return redirect(url_for("home.index"))
