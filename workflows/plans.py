"""Annual plans (年度使用计划): a community's projects for next year, reviewed as a whole.

A plan is due by a day the community's settings give (end of December of the year
before); the street committee reviews the whole plan, then each project still passes
every step of the process on its own.
"""

from __future__ import annotations

import datetime as dt
import calendar

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.organisations import Organisation
from ledger.users import User

from .definitions import settings_of
from .errors import N_, RoleRefused, WorkflowError

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"


class AnnualPlan(Base):
    """A community's plan of projects for one year (年度使用计划)."""

    __tablename__ = "annual_plans"
    __table_args__ = (
        UniqueConstraint("community_id", "year"),
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int]
    due_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    community: Mapped[Organisation] = relationship()
    projects = relationship("Project", order_by="Project.code", viewonly=True)


def plan_due_on(session: Session, community: Organisation, year: int) -> dt.date:
    """When the plan for ``year`` is due: the configured day of the year before."""
    settings = settings_of(session, community)
    last = calendar.monthrange(year - 1, settings.plan_due_month)[1]
    return dt.date(year - 1, settings.plan_due_month, min(settings.plan_due_day, last))


def open_plan(session: Session, community: Organisation, year: int) -> AnnualPlan:
    """Start (or return) the community's plan for ``year``."""
    plan = session.scalar(select(AnnualPlan).where(AnnualPlan.community_id == community.id, AnnualPlan.year == year))
    if plan is None:
        plan = AnnualPlan(community=community, year=year, due_on=plan_due_on(session, community, year), status=DRAFT)
        session.add(plan)
        session.flush()
    return plan


def submit_plan(session: Session, plan: AnnualPlan, by: User, role: str) -> AnnualPlan:
    """The community submits its plan for review (提交年度计划); it must hold projects."""
    if role != "community_staff":
        raise RoleRefused(N_("Role %(role)s may not submit a plan."), field="role", role=role)
    if plan.status not in (DRAFT, RETURNED):
        raise WorkflowError(N_("The plan is %(status)s and cannot be submitted."), field="plan", status=plan.status)
    if not plan.projects:
        raise WorkflowError(N_("The plan for %(year)d has no projects."), field="plan", year=plan.year)
    plan.status, plan.submitted_at, plan.submitted_by_id = SUBMITTED, utcnow(), by.id
    session.flush()
    return plan


def review_plan(session: Session, plan: AnnualPlan, by: User, role: str, approve: bool, note: str = "") -> AnnualPlan:
    """The street committee approves the plan as a whole, or returns it with a note (审核年度计划)."""
    if role != "street_committee":
        raise RoleRefused(N_("Role %(role)s may not review a plan."), field="role", role=role)
    if plan.status != SUBMITTED:
        raise WorkflowError(N_("The plan is %(status)s, not submitted."), field="plan", status=plan.status)
    if not approve and not note.strip():
        raise WorkflowError(N_("Say why the plan is returned."), field="note")
    plan.status = APPROVED if approve else RETURNED
    plan.reviewed_at, plan.reviewed_by_id, plan.review_note = utcnow(), by.id, note.strip()
    session.flush()
    return plan
