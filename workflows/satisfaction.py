"""Residents' satisfaction survey (满意度测评): one rating from 1 to 5 per household.

A household is named by a code the community assigns (door number, not a person), so a
rating carries no personal data. Satisfaction is the share of ratings of 4 or 5
("satisfied" or "very satisfied"), the figure evaluators compare with their 95 % target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow

from .errors import N_, WorkflowError

SATISFIED = 4


class SatisfactionRating(Base):
    """One household's rating of a finished project."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (
        UniqueConstraint("project_id", "household_code"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    household_code: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def rate(session: Session, project, household_code: str, rating: int) -> SatisfactionRating:
    """Record a household's rating, once, while the project is at a survey step."""
    if not project.step.survey:
        raise WorkflowError(
            N_("Ratings are taken at acceptance, not at step %(step)s."), field="rating", step=project.step.title
        )
    code = (household_code or "").strip()
    if not code or len(code) > 32:
        raise WorkflowError(N_("A household code of 1 to 32 characters is required."), field="household_code")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise WorkflowError(
            N_("Rating must be a whole number from 1 to 5, not %(rating)s."), field="rating", rating=rating
        )
    if session.scalar(select(SatisfactionRating.id).where(
        SatisfactionRating.project_id == project.id, SatisfactionRating.household_code == code
    )):
        raise WorkflowError(N_("Household %(code)s has already rated this project."), field="household_code", code=code)
    row = SatisfactionRating(project_id=project.id, household_code=code, rating=rating)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    satisfied: int
    percent: Decimal | None  # None without ratings
    average: Decimal | None


def satisfaction_of(session: Session, project) -> Satisfaction:
    """The project's survey result: share satisfied in percent (two places) and the mean rating."""
    count, satisfied, total = session.execute(
        select(
            func.count(SatisfactionRating.id),
            func.coalesce(func.sum((SatisfactionRating.rating >= SATISFIED).cast(Integer)), 0),
            func.coalesce(func.sum(SatisfactionRating.rating), 0),
        ).where(SatisfactionRating.project_id == project.id)
    ).one()
    if not count:
        return Satisfaction(0, 0, None, None)
    cent = Decimal("0.01")
    return Satisfaction(
        count, int(satisfied),
        (Decimal(100 * int(satisfied)) / count).quantize(cent, ROUND_HALF_UP),
        (Decimal(int(total)) / count).quantize(cent, ROUND_HALF_UP),
    )
