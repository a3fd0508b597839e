"""Figures the evaluators ask of the projects: counts by type and step, communities served,
satisfaction, publicity on time. Summed by the database, for any organisation and year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, and_, func, select
from sqlalchemy.orm import Session

from ledger.organisations import Organisation

from .projects import EMERGENCY, PROJECT_TYPES, Project
from .publicity import PublicNotice
from .satisfaction import SATISFIED, SatisfactionRating

#: Final steps that count as done (办结) whatever the process definition.
DONE_STATES = ("closed",)
#: Steps before a community has really started a project (still an idea or a draft).
NOT_STARTED_STATES = ("needs", "collect", "drafting", "plan", "rejected")


def _in_scope(root: Organisation, year: int):
    return and_(Project.plan_year == year,
                Project.community_id.in_(select(Organisation.id).where(
                    Organisation.path.startswith(root.path, autoescape=True))))


def counts_by_type(session: Session, root: Organisation, year: int) -> dict[str, dict[str, int]]:
    """``{type: {"total": n, "completed": n}}`` for every project type, zeros included."""
    rows = session.execute(
        select(Project.project_type, func.count(),
               func.sum(Project.state.in_(DONE_STATES).cast(Integer)))
        .where(_in_scope(root, year)).group_by(Project.project_type)
    ).all()
    found = {t: {"total": n, "completed": int(done or 0)} for t, n, done in rows}
    return {t: found.get(t, {"total": 0, "completed": 0}) for t in PROJECT_TYPES}


def counts_by_state(session: Session, root: Organisation, year: int) -> dict[str, int]:
    """How many projects stand at each step (by step id)."""
    return dict(session.execute(
        select(Project.state, func.count()).where(_in_scope(root, year)).group_by(Project.state)
    ).all())


@dataclass(frozen=True)
class ProjectFigures:
    """What an evaluation of a street's or a district's fund counts of its projects."""

    communities: int
    communities_served: int
    projects: int
    completed: int  # non-emergency projects done
    emergency: int
    satisfaction_percent: Decimal | None
    publicity_on_time_percent: Decimal | None


def project_figures(session: Session, root: Organisation, year: int) -> ProjectFigures:
    """Counts for an evaluation: served communities, completed projects, satisfaction, publicity."""
    communities = session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.level == "community", Organisation.path.startswith(root.path, autoescape=True)))
    started = _in_scope(root, year), Project.state.not_in(NOT_STARTED_STATES)
    served = session.scalar(select(func.count(func.distinct(Project.community_id))).where(*started))
    projects = session.scalar(select(func.count()).select_from(Project).where(_in_scope(root, year)))
    completed = session.scalar(select(func.count()).select_from(Project).where(
        _in_scope(root, year), Project.state.in_(DONE_STATES), Project.project_type != EMERGENCY))
    emergency = session.scalar(select(func.count()).select_from(Project).where(
        _in_scope(root, year), Project.project_type == EMERGENCY))
    ratings, satisfied = session.execute(
        select(func.count(SatisfactionRating.id), func.sum((SatisfactionRating.rating >= SATISFIED).cast(Integer)))
        .join(Project, Project.id == SatisfactionRating.project_id).where(_in_scope(root, year))
    ).one()
    approved = select(Project.id, Project.approved_at).where(
        _in_scope(root, year), Project.approved_at.is_not(None), Project.project_type != EMERGENCY).subquery()
    on_time = session.scalar(select(func.count(func.distinct(approved.c.id))).join(
        PublicNotice, and_(PublicNotice.project_id == approved.c.id, PublicNotice.kind == "resolution",
                           PublicNotice.ends_at <= approved.c.approved_at)))
    approved_count = session.scalar(select(func.count()).select_from(approved))
    return ProjectFigures(
        communities, served, projects, completed, emergency,
        _percent(int(satisfied or 0), ratings), _percent(on_time, approved_count),
    )


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.01")) if whole else None
