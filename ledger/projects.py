"""The ledger's view of a community project (社区项目): its approved budget and its state.

The tables only; opening, changing and closing a project's budget are operations
(``ledger/project_budgets.py``), above the locks and figures they need.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .dimensions import FundingSource, PurposeCategory
from .errors import DomainError
from .organisations import Organisation


class ProjectError(DomainError):
    """A project budget that cannot be opened, changed or closed as asked."""


class LedgerProject(Base):
    """A community project as the books see it: an approved budget to spend against."""

    __tablename__ = "ledger_projects"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        CheckConstraint("approved_amount >= 0", name="approved_not_negative"),
        CheckConstraint("NOT (closed AND spending_open)", name="closed_not_spending"),
        CheckConstraint("closed = (closed_at IS NOT NULL)", name="closed_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purpose_categories.id"))
    approved_amount: Mapped[Decimal]
    approved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    spending_open: Mapped[bool] = mapped_column(default=False)
    closed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[dt.datetime | None]
    #: What was approved but not spent when the project closed (given back to the pool).
    released_amount: Mapped[Decimal | None]

    organisation: Mapped[Organisation] = relationship()
    purpose: Mapped[PurposeCategory] = relationship()
    shares: Mapped[list[ProjectBudgetShare]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectBudgetShare.id"
    )

    def share(self, source_id: int) -> Decimal | None:
        """The part of the budget approved from one funding source, if the budget is split."""
        return next((s.amount for s in self.shares if s.funding_source_id == source_id), None)

    def __repr__(self) -> str:
        return f"<LedgerProject {self.code}>"


class ProjectBudgetShare(Base):
    """The part of a project's approved budget to be paid from one funding source."""

    __tablename__ = "ledger_project_budgets"
    __table_args__ = (
        UniqueConstraint("project_id", "funding_source_id"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("ledger_projects.id"), index=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    amount: Mapped[Decimal]

    project: Mapped[LedgerProject] = relationship(back_populates="shares")
    funding_source: Mapped[FundingSource] = relationship()
