"""Projects: create one, its page (progress, history, records, money) and its next actions."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ledger.accounts import BUDGET
from ledger.dimensions import PurposeCategory
from ledger.errors import DomainError
from ledger.figures import project_spent
from ledger.users import User
from workflows.emergency import publish_follow_up
from workflows.estimates import estimate_open, revise_estimate
from workflows.events import history
from workflows.evidence import Evidence
from workflows.machine import fire as fire_event
from workflows.meetings import check_rule, meetings_of
from workflows.needs import MERGED, Need
from workflows.plans import open_plan
from workflows.projects import PROJECT_TYPES, Project, create_project
from workflows.publicity import PublicNotice, unanswered
from workflows.satisfaction import satisfaction_of

from ..extensions import db
from ..i18n import error_message
from ..web import distinct_ids, options, show_error
from . import operations as ops
from .forms import AnswerForm, ConfirmForm, EstimateForm, EvidenceForm, ProjectForm, RatingForm, TransitionForm
from .records import evidence_kinds, meeting_form
from .views import title


def _project_form(community) -> ProjectForm:
    form = ProjectForm()
    form.project_type.choices = options([(code, str(title("type", code))) for code in PROJECT_TYPES])
    city = community.ancestor_at("city")
    purposes = db.session.scalars(
        select(PurposeCategory).where(PurposeCategory.city_id == city.id, PurposeCategory.listed == "positive",
                                      PurposeCategory.is_active.is_(True)).order_by(PurposeCategory.id)
    ).all()
    form.purpose_code.choices = options([(p.code, p.name) for p in purposes])
    needs = db.session.scalars(
        select(Need).where(Need.community_id == community.id, Need.status != MERGED)
        .order_by(Need.received_on.desc(), Need.id.desc())
    ).all()
    form.needs.choices = options([(n.id, f"#{n.id} {n.description[:60]}") for n in needs])
    if not form.is_submitted():
        form.plan_year.data = dt.date.today().year + 1
        form.in_plan.data = True
        preset = request.args.get("need", type=int)
        if preset in {n.id for n in needs}:
            form.needs.data = [preset]
    return form


def _next_code(community, year: int) -> str:
    count = db.session.scalar(select(func.count(Project.id)).where(Project.community_id == community.id)) or 0
    while True:
        count += 1
        code = f"{year}-{count:03d}"
        if not db.session.scalar(select(Project.id).where(Project.community_id == community.id, Project.code == code)):
            return code


@login_required
def new(code: str):
    community = ops.load_community(code, "community.work")
    form = _project_form(community)
    if form.validate_on_submit():
        try:
            year = form.plan_year.data
            plan = open_plan(db.session, community, year) if form.in_plan.data else None
            project = create_project(
                db.session, community, code=(form.code.data or "").strip() or _next_code(community, year),
                title=form.title.data, project_type=form.project_type.data, purpose_code=form.purpose_code.data,
                plan_year=year, responsible_person=form.responsible_person.data, by=current_user.user,
                budget=form.budget(), expected_beneficiaries=form.expected_beneficiaries.data,
                description=form.description.data or "", plan=plan,
                needs=[db.session.get(Need, i) for i in form.needs.data],
            )
            db.session.commit()
            flash(_("Project %(code)s created.", code=project.code), "success")
            return redirect(url_for("community.project", project_id=project.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error, {"budget": "budget_district", "plan": "plan_year", "community": "title"})
    return render_template("community/project_form.html", community=community, form=form)


def _render(project, refused: str | None = None, forms: dict | None = None, status: int = 200):
    """The project page; ``forms`` carries a refused form with the user's input and errors."""
    community = project.community
    forms = forms or {}
    transitions = ops.allowed_transitions(project)
    transition_forms = {t.event: distinct_ids(forms.get(f"event:{t.event}") or TransitionForm(formdata=None),
                                              f"event-{t.event}")
                        for t in transitions}
    meetings = meetings_of(db.session, project)
    checks = {}
    for meeting in meetings:
        try:
            check_rule(project.definition.rule(meeting.kind), meeting)
            checks[meeting.id] = None
        except DomainError as error:
            checks[meeting.id] = error_message(error)
        except StopIteration:
            checks[meeting.id] = None
    notices = db.session.scalars(
        select(PublicNotice).where(PublicNotice.project_id == project.id).order_by(PublicNotice.id)
    ).all()
    evidence = db.session.scalars(
        select(Evidence).where(Evidence.project_id == project.id).order_by(Evidence.id)
    ).all()
    events = history(db.session, project)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {e.actor_id for e in events if e.actor_id} | {m.recorded_by_id for m in meetings}
        | {e.uploaded_by_id for e in evidence} | {o.answered_by_id for n in notices for o in n.objections
                                                   if o.answered_by_id})))}
    can_work = current_user.can("community.work", community)
    spent = project_spent(db.session, project.ledger_project_id, BUDGET) if project.ledger_project_id else None
    step = project.step
    follow_up_open = (project.follow_up_due is not None and not step.final
                      and not any(n.kind == "resolution" for n in notices))
    return render_template(
        "community/project.html", project=project, community=community, definition=project.definition,
        step=step, transitions=transitions, transition_forms=transition_forms, refused=refused,
        meetings=meetings, checks=checks, notices=notices, evidence=evidence, events=events, people=people,
        can_work=can_work, spent=spent, satisfaction=satisfaction_of(db.session, project),
        payments=ops.payment_requests(db.session, community, project), unanswered=unanswered(db.session, project),
        meeting_form=_distinct(forms.get("meeting") or (meeting_form(project) if can_work else None), "meeting"),
        evidence_form=distinct_ids(forms.get("evidence") or _evidence_form(), "evidence"),
        rating_form=distinct_ids(forms.get("rating") or RatingForm(formdata=None), "rating"),
        answer_forms={o.id: distinct_ids(forms.get(f"answer:{o.id}") or AnswerForm(formdata=None), f"answer-{o.id}")
                      for n in notices for o in n.objections},
        estimate_form=_estimate_form(project, forms.get("estimate")) if can_work and estimate_open(project) else None,
        confirm=ConfirmForm(), follow_up_open=follow_up_open, now=dt.datetime.now(dt.timezone.utc),
        held_roles=ops.held_roles(community),
    ), status


def _estimate_form(project, form=None) -> EstimateForm:
    if form is None:
        form = EstimateForm(formdata=None)
        for line in project.budget_lines:
            getattr(form, f"budget_{line.funding_source_code}").data = line.amount
    return distinct_ids(form, "estimate")


def _distinct(form, prefix: str):
    return distinct_ids(form, prefix) if form is not None else None


def _evidence_form(formdata=None) -> EvidenceForm:
    form = EvidenceForm(formdata=formdata) if formdata is not None else EvidenceForm(formdata=None)
    form.kind.choices = options(evidence_kinds())
    return form


@login_required
def show(project_id: int):
    return _render(ops.load_project(project_id))


@login_required
def fire(project_id: int, event: str):
    project = ops.load_project(project_id)
    role = ops.role_for(project, event)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _render(project, forms={f"event:{event}": form})
    try:
        fire_event(db.session, project, event, by=current_user.user, role=role, reason=form.reason.data or "",
                   amount=form.amount.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        project = ops.load_project(project_id)
        if error.field in ("amount", "reason"):
            getattr(form, error.field).errors = [error_message(error)]
        return _render(project, refused=error_message(error), forms={f"event:{event}": form})
    flash(_("Done: %(step)s.", step=project.step.title), "success")
    return redirect(url_for("community.project", project_id=project.id))


@login_required
def follow_up(project_id: int):
    """An emergency approved in advance publishes its resolution once deliberated (事后公开)."""
    project = ops.load_project(project_id, "community.work")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            publish_follow_up(db.session, project, by=current_user.user, role="community_staff")
            db.session.commit()
            flash(_("The resolution notice is published."), "success")
        except DomainError as error:
            db.session.rollback()
            return _render(ops.load_project(project_id), refused=error_message(error))
    return redirect(url_for("community.project", project_id=project_id))


@login_required
def revise(project_id: int):
    """The community changes the estimate of a project it is still drafting (修改预算)."""
    project = ops.load_project(project_id, "community.work")
    form = EstimateForm()
    if not form.validate_on_submit():
        return _render(project, forms={"estimate": form})
    try:
        revise_estimate(db.session, project, form.budget(), by=current_user.user, role="community_staff",
                        reason=form.reason.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        project = ops.load_project(project_id, "community.work")
        if error.field == "budget":
            form.budget_district.errors = [error_message(error)]
        return _render(project, refused=error_message(error), forms={"estimate": form})
    flash(_("The estimate is now %(amount)s CNY.", amount=f"{project.estimated_amount:,.2f}"), "success")
    return redirect(url_for("community.project", project_id=project.id))
