"""The committee's review queue and its decisions: approve, return, reject, emergency approval.

Every decision is a workflow event fired through ``workflows.machine``; a refusal of the
core (wrong step, amount above the estimate, shares that do not add up) is shown with
its reason, next to the field it names, and nothing is saved.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ledger.base import utcnow
from ledger.errors import DomainError
from ledger.retry import run_transaction
from workflows.machine import approve as approve_project
from workflows.machine import fire, reject as reject_project, return_for_revision
from workflows.projects import PROJECT_TYPES, Project

from ..extensions import db
from ..web import show_error
from . import loading
from .figures import projects_under
from .links import community_link
from .overrides import waiting_count
from .forms import RejectForm, ReturnForm, decision_form
from .records import (
    awaiting_fast_approval, awaiting_review, before_review_steps, candidate_states, record, source_names,
)

ACT = "project.review"


def _sources(project: Project) -> list[tuple[str, str]]:
    names = source_names(db.session)
    return [(line.funding_source_code, names.get(line.funding_source_code, line.funding_source_code))
            for line in project.budget_lines]


@login_required
def queue(street_code: str):
    street = loading.street(street_code, ACT)
    states = candidate_states(db.session)
    projects = list(db.session.scalars(projects_under(db.session, street).where(Project.state.in_(states)))) \
        if states else []
    review = [p for p in projects if awaiting_review(p)]
    fast = [p for p in projects if awaiting_fast_approval(p)]
    upcoming = [p for p in projects if p.state in before_review_steps(p.definition)]
    records = {p.id: record(db.session, p) for p in review + fast + upcoming}
    return render_template("street/queue.html", street=street, review=review, fast=fast, upcoming=upcoming,
                           records=records, now=utcnow(), types=PROJECT_TYPES,
                           overrides_waiting=waiting_count(street) if current_user.can("budget.override", street) else 0)


def _page(street, project, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    sources = _sources(project)
    if awaiting_review(project):
        forms.setdefault("approve", decision_form("approve", sources, blank=True))
        if forms["approve"].amount.data is None:
            forms["approve"].amount.data = project.estimated_amount
        forms.setdefault("return", ReturnForm(formdata=None))
        forms.setdefault("reject", RejectForm(formdata=None))
    if awaiting_fast_approval(project):
        forms.setdefault("fast", decision_form("fast", sources, blank=True))
    return render_template(
        "street/project.html", street=street, record=record(db.session, project), forms=forms, now=utcnow(),
        types=PROJECT_TYPES, community_link=community_link(project),
    ), status


@login_required
def project(street_code: str, project_id: int):
    street = loading.street(street_code, ACT)
    return _page(street, loading.project_in(street, project_id, ACT))


def _decide(street_code: str, project_id: int, form_key: str, make_form, act, success: str):
    street = loading.street(street_code, ACT)
    item = loading.project_in(street, project_id, ACT)
    form = make_form(item)
    if form.validate_on_submit():
        try:
            run_transaction(db.session, lambda: act(item, form))  # commits; again when the database was busy
            flash(success % {"code": item.code, "title": item.title}, "success")
            return redirect(url_for("street.queue", street_code=street.code))
        except DomainError as error:
            db.session.rollback()
            shares = getattr(form, "share_fields", [])
            first_share = shares[0][1].name if len(shares) > 1 else None  # one source: no split shown
            show_error(form, error, aliases={"by_source": first_share or "amount",
                                             "reason": _reason_field(form_key)})
            item = db.session.get(type(item), project_id)
    elif form.errors:
        flash(_("The form has errors; see the fields marked below. Nothing was changed."), "error")
    return _page(street, item, {form_key: form})


def _reason_field(form_key: str) -> str:
    return {"return": "return_reason", "reject": "reject_reason", "fast": "reason", "approve": "note"}[form_key]


def _shares(form) -> dict | None:
    shares = {code: field.data for code, field in form.share_fields if field.data is not None}
    return shares or None


@login_required
def approve(street_code: str, project_id: int):
    def act(item, form):
        approve_project(db.session, item, form.amount.data, by=current_user.user, by_source=_shares(form),
                        reason=form.note.data or "")

    return _decide(street_code, project_id, "approve", lambda p: decision_form("approve", _sources(p)), act,
                   _("Project %(code)s “%(title)s” is approved and filed."))


@login_required
def fast_approve(street_code: str, project_id: int):
    def act(item, form):
        fire(db.session, item, "fast_approve", by=current_user.user, role="street_committee",
             amount=form.amount.data, by_source=_shares(form), reason=form.reason.data)

    return _decide(street_code, project_id, "fast", lambda p: decision_form("fast", _sources(p)), act,
                   _("Emergency project %(code)s “%(title)s” may start; its deliberations and notice are due "
                     "afterwards."))


@login_required
def return_project(street_code: str, project_id: int):
    def act(item, form):
        return_for_revision(db.session, item, by=current_user.user, reason=form.return_reason.data)

    return _decide(street_code, project_id, "return", lambda p: ReturnForm(), act,
                   _("Project %(code)s “%(title)s” is returned to the community for revision."))


@login_required
def reject(street_code: str, project_id: int):
    def act(item, form):
        reject_project(db.session, item, by=current_user.user, reason=form.reject_reason.data)

    return _decide(street_code, project_id, "reject", lambda p: RejectForm(), act,
                   _("Project %(code)s “%(title)s” is rejected."))

