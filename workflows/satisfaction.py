"""Residents' satisfaction survey (满意度测评): one rating from 1 to 5 per household.

A household is named by the code on the slip the community handed it (住户测评码,
``workflows.household_codes``), not by a person, so a rating carries no personal data.
Every path checks the code and keeps its one canonical form (``12-7KQ4XM``), so the
database's unique rule counts each household once per project whoever types it, however
it is typed. A rating typed in by the community from a paper slip names who typed it and
is counted apart: the community being evaluated cannot pass its own entries off as the
households'. Satisfaction is the share of ratings of 4 or 5 ("satisfied" or "very
satisfied"), the figure evaluators compare with their 95 % target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow
from ledger.users import User

from .errors import N_, WorkflowError
from .household_codes import check_household_code

SATISFIED = 4


class SatisfactionRating(Base):
    """One household's rating of a finished project."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (
        UniqueConstraint("project_id", "household_code"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        # The one form check_household_code writes: upper case, no leading zero, a 6-letter check.
        CheckConstraint("household_code = upper(household_code) AND household_code NOT LIKE '0%' "
                        "AND household_code LIKE '_%-______'", name="household_code_canonical"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    household_code: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Who typed it in from a paper slip (纸质测评表); None: the household itself, online.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def rate(session: Session, project, household_code: str, rating: int, *, secret: str | bytes,
         entered_by: User | None = None) -> SatisfactionRating:
    """Record a household's rating, once, while the project is at a survey step.

    ``household_code`` must be one the community handed out for the project's plan year
    (checked with ``secret``, the application's key); ``entered_by`` is the staff member who
    types it in from a paper slip, None when the household rates online.
    """
    if not project.step.survey:
        raise WorkflowError(
            N_("Ratings are taken at acceptance, not at step %(step)s."), field="rating", step=project.step.title
        )
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise WorkflowError(
            N_("Rating must be a whole number from 1 to 5, not %(rating)s."), field="rating", rating=rating
        )
    code = check_household_code(secret, project.community.code, project.plan_year, household_code)
    if session.scalar(select(SatisfactionRating.id).where(
        SatisfactionRating.project_id == project.id, SatisfactionRating.household_code == code
    )):
        raise WorkflowError(N_("Household %(code)s has already rated this project."), field="household_code", code=code)
    row = SatisfactionRating(project_id=project.id, household_code=code, rating=rating,
                             entered_by_id=entered_by.id if entered_by else None)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    satisfied: int
    percent: Decimal | None  # None without ratings
    average: Decimal | None
    paper: int = 0  # of the ratings, those the community typed in from paper slips


def satisfaction_of(session: Session, project) -> Satisfaction:
    """The project's survey result: share satisfied in percent (two places) and the mean rating."""
    count, satisfied, total, paper = session.execute(
        select(
            func.count(SatisfactionRating.id),
            func.coalesce(func.sum((SatisfactionRating.rating >= SATISFIED).cast(Integer)), 0),
            func.coalesce(func.sum(SatisfactionRating.rating), 0),
            func.count(SatisfactionRating.entered_by_id),
        ).where(SatisfactionRating.project_id == project.id)
    ).one()
    if not count:
        return Satisfaction(0, 0, None, None)
    cent = Decimal("0.01")
    return Satisfaction(
        count, int(satisfied),
        (Decimal(100 * int(satisfied)) / count).quantize(cent, ROUND_HALF_UP),
        (Decimal(int(total)) / count).quantize(cent, ROUND_HALF_UP), int(paper),
    )
