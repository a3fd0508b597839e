"""A project's record as the street reviews it (审核材料): deliberations, publicity, objections.

Read from the workflow core only; the deliberation rules are the core's ``check_rule``,
so a meeting shown as failing fails for the same reason the process would refuse it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.dimensions import FundingSource
from ledger.errors import DomainError
from ledger.users import User
from workflows.emergency import followed_up
from workflows.events import history
from workflows.evidence import Evidence
from workflows.meetings import Meeting, check_rule, meetings_of
from workflows.process import ProcessDefinition, Transition
from workflows.projects import Project
from workflows.publicity import PublicNotice, unanswered
from workflows.rules import round_start
from workflows.definitions import StoredDefinition

from ..i18n import error_message

REVIEW_EVENT, FAST_EVENT = "approve", "fast_approve"


def review_steps(definition: ProcessDefinition) -> set[str]:
    """The step(s) where the street decides (审核备案): where the definition's ``approve`` leaves from."""
    return {t.source for t in definition.transitions if t.event == REVIEW_EVENT}


def fast_steps(definition: ProcessDefinition) -> set[str]:
    return {t.source for t in definition.transitions if t.event == FAST_EVENT}


def before_review_steps(definition: ProcessDefinition) -> set[str]:
    """The steps that lead into the review (the resolution's publicity, usually)."""
    targets = review_steps(definition)
    return {t.source for t in definition.transitions if t.target in targets and t.source not in targets}


def candidate_states(session: Session) -> set[str]:
    """Every step id that is a review, fast-approval or pre-review step in any stored process."""
    states: set[str] = set()
    for row in session.scalars(select(StoredDefinition)):
        d = row.definition
        states |= review_steps(d) | fast_steps(d) | before_review_steps(d)
    return states


def awaiting_review(project: Project) -> bool:
    return project.state in review_steps(project.definition)


def awaiting_fast_approval(project: Project) -> bool:
    return project.is_emergency and project.state in fast_steps(project.definition)


@dataclass
class MeetingLine:
    meeting: Meeting
    title: str
    passed: bool
    problem: str | None


@dataclass
class Record:
    """What the reviewer reads before deciding."""

    project: Project
    estimate: list[tuple[str, str, object]]  # (code, source name, amount)
    meetings: list[MeetingLine]
    missing_meetings: list[str]
    notices: list[PublicNotice]
    open_objections: int
    events: list
    actors: dict[int, str]
    evidence: list[Evidence]
    possible: list[Transition]
    needs: list = field(default_factory=list)
    followed_up: bool | None = None


def source_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(FundingSource.code, FundingSource.name)).all())


def record(session: Session, project: Project) -> Record:
    definition = project.definition
    names = source_names(session)
    since = round_start(session, project)
    meetings = []
    seen = set()
    for meeting in meetings_of(session, project):
        title = definition.rule(meeting.kind).title if meeting.kind in definition.deliberations else meeting.kind
        try:
            check_rule(definition.rule(meeting.kind), meeting)
            passed, problem = True, None
        except DomainError as error:
            passed, problem = False, error_message(error)
        except StopIteration:
            passed, problem = False, None
        if since is None or meeting.recorded_at >= since:
            seen.add(meeting.kind)
            if meeting.merges_previous and definition.mergeable and meeting.kind == definition.mergeable[1]:
                seen.add(definition.mergeable[0])
        meetings.append(MeetingLine(meeting, title, passed, problem))
    missing = [definition.rule(k).title for k in definition.deliberations if k not in seen]
    notices = list(session.scalars(
        select(PublicNotice).where(PublicNotice.project_id == project.id).order_by(PublicNotice.id)))
    events = history(session, project)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actor_ids |= {o.answered_by_id for n in notices for o in n.objections if o.answered_by_id}
    actors = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids))).all()) \
        if actor_ids else {}
    evidence = list(session.scalars(
        select(Evidence).where(Evidence.project_id == project.id).order_by(Evidence.uploaded_at, Evidence.id)))
    return Record(
        project=project,
        estimate=[(line.funding_source_code, names.get(line.funding_source_code, line.funding_source_code),
                   line.amount) for line in project.budget_lines],
        meetings=meetings, missing_meetings=missing, notices=notices,
        open_objections=unanswered(session, project), events=events, actors=actors, evidence=evidence,
        possible=definition.transitions_from(project.state), needs=list(getattr(project, "needs", [])),
        followed_up=followed_up(session, project) if project.follow_up_due is not None else None,
    )


def days_waiting(project: Project, now: dt.datetime) -> int:
    return max((now - project.state_since).days, 0)
