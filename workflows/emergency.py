"""Emergency projects (应急项目): implemented first, deliberated and published afterwards.

The street's fast approval starts the clock (``follow_up_due``); the community then
records the deliberations and publishes the resolution. A project cannot be accepted
until that record is complete, and the timer lists the ones whose clock ran out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.base import utcnow
from ledger.users import User

from .errors import N_, DomainError, RoleRefused, WorkflowError
from .meetings import check_deliberations
from .process import RESOLUTION
from .projects import Project
from .publicity import PublicNotice, latest_notice, open_notice


def publish_follow_up(session: Session, project: Project, by: User, role: str) -> PublicNotice:
    """Publish an emergency project's resolution once its deliberations are on record (事后公开)."""
    if role != "community_staff":
        raise RoleRefused(N_("Role %(role)s may not publish a resolution."), field="role", role=role)
    if project.follow_up_due is None or project.step.final:
        raise WorkflowError(
            N_("Only an emergency approved in advance publishes its resolution afterwards."), field="project"
        )
    if latest_notice(session, project, RESOLUTION) is not None:
        raise WorkflowError(N_("The resolution is already published."), field="project")
    check_deliberations(session, project, None)
    return open_notice(session, project, RESOLUTION, days=project.definition.publicity_days, by=by)


def followed_up(session: Session, project: Project) -> bool:
    """Whether the emergency's deliberations passed and its resolution notice is published."""
    try:
        check_deliberations(session, project, None)
    except DomainError:
        return False
    needs_notice = RESOLUTION in project.definition.notices
    return not needs_notice or latest_notice(session, project, RESOLUTION) is not None


@dataclass(frozen=True)
class OverdueFollowUp:
    project_id: int
    code: str
    community_id: int
    due: dt.datetime
    days_over: int


def overdue_follow_ups(session: Session, now: dt.datetime | None = None) -> list[OverdueFollowUp]:
    """Emergency projects whose deliberation or publicity record is overdue (应急项目逾期未补议)."""
    now = now or utcnow()
    late = session.scalars(
        select(Project).where(Project.follow_up_due.is_not(None), Project.follow_up_due < now)
        .order_by(Project.follow_up_due, Project.id)
    )
    return [
        OverdueFollowUp(p.id, p.code, p.community_id, p.follow_up_due, (now - p.follow_up_due).days)
        for p in late if not followed_up(session, p)
    ]
