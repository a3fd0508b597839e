"""The project page of the community area, which every form on it renders again when refused."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ledger.accounts import BUDGET
from ledger.errors import DomainError
from ledger.figures import project_spent
from ledger.users import User
from workflows.estimates import estimate_open
from workflows.events import history
from workflows.evidence import KINDS, Evidence
from workflows.meetings import check_rule, meetings_of
from workflows.projects import Project
from workflows.publicity import PublicNotice, unanswered
from workflows.satisfaction import satisfaction_of

from ..extensions import db
from ..i18n import error_message
from ..web import distinct_ids, options
from . import operations as ops
from .forms import AnswerForm, ConfirmForm, EstimateForm, EvidenceForm, MeetingForm, RatingForm, TransitionForm
from .views import title


def evidence_kinds():
    return [(kind, str(title("kind", kind))) for kind in KINDS]


def meeting_kinds(project: Project) -> list[str]:
    """The meetings the project may record now: its step's, or every one for an emergency's follow-up."""
    if project.follow_up_due is not None and not project.step.final:
        return list(project.definition.deliberations)
    return list(project.step.meetings)


def meeting_form(project: Project, formdata=None) -> MeetingForm | None:
    kinds = meeting_kinds(project)
    if not kinds:
        return None
    form = MeetingForm() if formdata is not None else MeetingForm(formdata=None)
    form.kind.choices = options([(k, str(title("kind", k))) for k in kinds])
    if formdata is None:
        form.motion_origin.data = _("Proposed by the community party organisation")
    return form


def render_project(project, refused: str | None = None, forms: dict | None = None, status: int = 200):
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
