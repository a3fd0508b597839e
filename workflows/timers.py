"""Pure functions the scheduler calls (定时任务): each returns what it did or found.

The Celery tasks of the web application call these with a session and commit once.
Running one twice does nothing more the second time: notices close once, a project
that moved on is no longer a candidate, and the other three only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.base import utcnow
from ledger.organisations import Organisation

from .emergency import OverdueFollowUp, overdue_follow_ups
from .errors import DomainError
from .machine import fire
from .plans import APPROVED, SUBMITTED, AnnualPlan, plan_due_on
from .projects import Project
from .publicity import PublicNotice, latest_notice

__all__ = ["end_publicity", "overdue_steps", "plan_deadlines", "overdue_follow_ups", "OverdueFollowUp"]


@dataclass(frozen=True)
class NoticeOutcome:
    project_id: int
    notice_id: int | None
    closed: bool
    advanced_by: str | None = None
    refused: str | None = None


def end_publicity(session: Session, now: dt.datetime | None = None) -> list[NoticeOutcome]:
    """Close notices whose period has ended and advance their projects where the rules allow."""
    now = now or utcnow()
    outcomes: list[NoticeOutcome] = []
    ended = list(session.scalars(
        select(PublicNotice).where(PublicNotice.closed_at.is_(None), PublicNotice.ends_at <= now)
        .order_by(PublicNotice.id)
    ))
    for notice in ended:
        notice.closed_at = now
    closed = {n.project_id: n.id for n in ended}
    session.flush()
    # Candidates are all projects at a step with an automatic exit, not only those whose
    # notice closed now: a project held back by an objection moves once it is answered.
    for project in session.scalars(select(Project).order_by(Project.id)):
        auto = [t for t in project.definition.transitions_from(project.state) if t.auto]
        notice_kind = project.step.notice
        if not auto or notice_kind is None:
            continue
        notice = latest_notice(session, project, notice_kind)
        if notice is None or notice.ends_at > now:
            continue
        try:
            fire(session, project, auto[0].event, by=None, role="system", now=now)
        except DomainError as error:
            outcomes.append(NoticeOutcome(project.id, notice.id, project.id in closed, refused=error.message))
        else:
            outcomes.append(NoticeOutcome(project.id, notice.id, project.id in closed, advanced_by=auto[0].event))
    reported = {o.project_id for o in outcomes}
    outcomes += [NoticeOutcome(p, n, True) for p, n in closed.items() if p not in reported]
    return outcomes


@dataclass(frozen=True)
class OverdueStep:
    project_id: int
    code: str
    step: str
    since: dt.datetime
    max_days: int
    days_over: int


def overdue_steps(session: Session, now: dt.datetime | None = None) -> list[OverdueStep]:
    """Projects that stayed at a step longer than its ``max_days`` (逾期未推进)."""
    now = now or utcnow()
    found = []
    for project in session.scalars(select(Project).order_by(Project.id)):
        step = project.step
        if step.final or step.max_days is None:
            continue
        limit = project.state_since + dt.timedelta(days=step.max_days)
        if limit < now:
            found.append(OverdueStep(project.id, project.code, step.id, project.state_since, step.max_days,
                                     (now - limit).days))
    return found


@dataclass(frozen=True)
class PlanDeadline:
    community_id: int
    year: int
    due_on: dt.date
    status: str  # "approaching" or "passed"
    plan_status: str | None  # None: no plan started


def plan_deadlines(
    session: Session, year: int, today: dt.date | None = None, warn_days: int = 14
) -> list[PlanDeadline]:
    """Communities whose plan for ``year`` is due within ``warn_days`` or overdue and not submitted."""
    today = today or utcnow().date()
    plans = {p.community_id: p for p in session.scalars(select(AnnualPlan).where(AnnualPlan.year == year))}
    found = []
    for community in session.scalars(
        select(Organisation).where(Organisation.level == "community", Organisation.is_active.is_(True))
        .order_by(Organisation.code)
    ):
        plan = plans.get(community.id)
        if plan is not None and plan.status in (SUBMITTED, APPROVED):
            continue
        due = plan.due_on if plan is not None else plan_due_on(session, community, year)
        if due < today:
            found.append(PlanDeadline(community.id, year, due, "passed", plan and plan.status))
        elif (due - today).days <= warn_days:
            found.append(PlanDeadline(community.id, year, due, "approaching", plan and plan.status))
    return found
