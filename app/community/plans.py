"""The annual plan (年度使用计划) for next year: its projects, its due date, submitting it."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ledger.errors import DomainError
from workflows.plans import open_plan, plan_due_on, submit_plan

from ..extensions import db
from ..i18n import error_message
from . import operations as ops
from .forms import ConfirmForm


def _year() -> int:
    year = request.args.get("year", type=int) or dt.date.today().year + 1
    if not 2000 <= year <= 2999:
        abort(404)
    return year


@login_required
def show(code: str):
    community = ops.load_community(code)
    year = _year()
    plan = ops.plan_of(db.session, community, year)
    due_on = plan.due_on if plan else plan_due_on(db.session, community, year)
    return render_template("community/plan.html", community=community, year=year, plan=plan, due_on=due_on,
                           today=dt.date.today(), form=ConfirmForm(),
                           can_work=current_user.can("community.work", community))


@login_required
def submit(code: str):
    community = ops.load_community(code, "community.work")
    year = _year()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            plan = open_plan(db.session, community, year)
            submit_plan(db.session, plan, by=current_user.user, role="community_staff")
            db.session.commit()
            flash(_("The plan for %(year)d is submitted to the street office.", year=year), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("community.plan", code=community.code, year=year))
