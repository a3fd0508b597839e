"""Annual plans (年度使用计划) the street's communities submitted, reviewed as a whole."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.base import money, utcnow
from ledger.errors import DomainError
from workflows.plans import SUBMITTED, AnnualPlan, review_plan as review_annual_plan

from ..extensions import db
from ..web import show_error
from . import loading
from .figures import communities_of
from .forms import PlanReviewForm, PlanYearForm

ACT = "project.review"


def _plan(community, year: int) -> AnnualPlan | None:
    return db.session.scalar(select(AnnualPlan).where(AnnualPlan.community_id == community.id,
                                                      AnnualPlan.year == year))


def _estimate(plan: AnnualPlan | None):
    if plan is None:
        return money(0)
    return sum((p.estimated_amount for p in plan.projects), money(0))


@login_required
def index(street_code: str):
    street = loading.street(street_code, ACT)
    form = PlanYearForm(request.args)
    year = form.year.data if form.validate() and form.year.data else utcnow().year + 1
    rows = []
    for community in communities_of(db.session, street):
        plan = _plan(community, year)
        rows.append((community, plan, _estimate(plan)))
    waiting = sum(1 for _c, plan, _e in rows if plan is not None and plan.status == SUBMITTED)
    return render_template("street/plans.html", street=street, rows=rows, year=year, form=form, waiting=waiting)


def _render(street, community, year, form, status=200):
    plan = _plan(community, year)
    return render_template("street/plan.html", street=street, community=community, year=year, plan=plan,
                           estimate=_estimate(plan), form=form, submitted=SUBMITTED), status


@login_required
def show(street_code: str, community_code: str, year: int):
    street = loading.street(street_code, ACT)
    community = loading.community_in(street, community_code, ACT)
    return _render(street, community, year, PlanReviewForm(formdata=None))


@login_required
def review(street_code: str, community_code: str, year: int):
    street = loading.street(street_code, ACT)
    community = loading.community_in(street, community_code, ACT)
    form = PlanReviewForm()
    if form.validate_on_submit():
        plan = _plan(community, year)
        if plan is None:
            flash(_("%(community)s has no plan for %(year)d yet; there is nothing to review.",
                    community=community.name, year=year), "error")
            return redirect(url_for("street.plans", street_code=street.code, year=year))
        approve = form.decision.data == "approve"
        try:
            review_annual_plan(db.session, plan, by=current_user.user, role="street_committee", approve=approve,
                               note=form.note.data or "")
            db.session.commit()
            flash(_("The plan of %(community)s for %(year)d is approved.", community=community.name, year=year)
                  if approve else
                  _("The plan of %(community)s for %(year)d is returned for revision.",
                    community=community.name, year=year), "success")
            return redirect(url_for("street.plans", street_code=street.code, year=year))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error, aliases={"plan": "decision"})
    return _render(street, community, year, form)
