"""Community projects (社区服务项目) as the workflow sees them: what, for whom, for how much.

A project is created at the first step of the process its community follows and pins
that process version. Its estimated budget is split by funding source; the street's
approved amount, once given, becomes the project's budget in the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.base import MAX_ENTRY, Base, money, utcnow
from ledger.dimensions import funding_source, purpose
from ledger.errors import TOO_LARGE
from ledger.organisations import Organisation
from ledger.projects import LedgerProject
from ledger.users import User

from .definitions import StoredDefinition, current_definition, settings_of
from .errors import N_, WorkflowError
from .needs import link_need
from .process import ProcessDefinition

#: Project types (项目类型): 工程类, 活动类, 便民服务类, 志愿公益类, 关爱帮扶类, 其他, 应急.
PROJECT_TYPES = {
    "works": "工程类", "activities": "活动类", "convenience": "便民服务类", "volunteer": "志愿公益类",
    "care": "关爱帮扶类", "other": "其他服务事项", "emergency": "应急项目",
}
EMERGENCY = "emergency"


class Project(Base):
    """A community project (社区项目) on its way from needs to published results."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        CheckConstraint(
            "project_type IN (" + ", ".join(f"'{t}'" for t in PROJECT_TYPES) + ")", name="type_known"
        ),
        CheckConstraint("expected_beneficiaries >= 0", name="beneficiaries_not_negative"),
        CheckConstraint("approved_amount IS NULL OR approved_amount > 0", name="approved_positive"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    project_type: Mapped[str] = mapped_column(String(16))
    #: Code of one of the ledger's purpose categories (正面清单) of the community's city.
    purpose_code: Mapped[str] = mapped_column(String(32))
    plan_year: Mapped[int]
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("annual_plans.id"), index=True)
    responsible_person: Mapped[str] = mapped_column(String(100))
    expected_beneficiaries: Mapped[int] = mapped_column(default=0)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    state: Mapped[str] = mapped_column(String(32), index=True)
    #: When the project entered its current step (for overdue steps).
    state_since: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_amount: Mapped[Decimal | None]
    approved_at: Mapped[dt.datetime | None]
    ledger_project_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_projects.id"))
    #: Set by the street's fast approval of an emergency: deliberations and publicity due by then.
    follow_up_due: Mapped[dt.datetime | None]
    released_amount: Mapped[Decimal | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    community: Mapped[Organisation] = relationship()
    stored_definition: Mapped[StoredDefinition] = relationship()
    ledger_project: Mapped[LedgerProject | None] = relationship()
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="BudgetLine.id"
    )

    @property
    def definition(self) -> ProcessDefinition:
        return self.stored_definition.definition

    @property
    def step(self):
        return self.definition.step(self.state)

    @property
    def is_emergency(self) -> bool:
        return self.project_type == EMERGENCY

    @property
    def estimated_amount(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines), money(0))

    def __repr__(self) -> str:
        return f"<Project {self.code} {self.state}>"


class BudgetLine(Base):
    """The estimated cost of a project from one funding source (市级/区级/其他)."""

    __tablename__ = "project_budget_lines"
    __table_args__ = (
        UniqueConstraint("project_id", "funding_source_code"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    funding_source_code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal]

    project: Mapped[Project] = relationship(back_populates="budget_lines")


def _check_budget(session: Session, budget: Mapping[str, Decimal | int | str]) -> dict[str, Decimal]:
    lines = {}
    for code, value in budget.items():
        if funding_source(session, code) is None:
            raise WorkflowError(N_("Funding source %(source)s is unknown."), field="budget", source=code)
        amount = money(value)
        if amount <= 0:
            raise WorkflowError(
                N_("Estimated amount from %(source)s must be positive, not %(amount)s."),
                field="budget", source=code, amount=amount,
            )
        if amount > MAX_ENTRY:
            raise WorkflowError(TOO_LARGE, field="budget", amount=amount, max=MAX_ENTRY)
        lines[code] = amount
    return lines


def create_project(
    session: Session, community: Organisation, *, code: str, title: str, project_type: str,
    purpose_code: str, plan_year: int, responsible_person: str, by: User,
    budget: Mapping[str, Decimal | int | str] | None = None, expected_beneficiaries: int = 0,
    description: str = "", plan=None, needs: Iterable = (),
) -> Project:
    """Create a project (新建项目) at the first step of the community's pinned process."""
    if community.level != "community":
        raise WorkflowError(
            N_("Projects belong to a community, not a %(level)s."), field="community", level=community.level
        )
    if project_type not in PROJECT_TYPES:
        raise WorkflowError(
            N_("Project type %(type)s is unknown; allowed: %(allowed)s."),
            field="project_type", type=project_type, allowed=", ".join(PROJECT_TYPES),
        )
    if not (title or "").strip():
        raise WorkflowError(N_("Title is required."), field="title")
    if not (responsible_person or "").strip():
        raise WorkflowError(N_("A responsible person is required."), field="responsible_person")
    city = community.ancestor_at("city")
    category = purpose(session, city, purpose_code) if city else None
    if category is None or category.is_negative or not category.is_active:
        raise WorkflowError(
            N_("Purpose %(purpose)s is not on the city's positive list."), field="purpose_code", purpose=purpose_code
        )
    if session.scalar(select(Project.id).where(Project.community_id == community.id, Project.code == code)):
        raise WorkflowError(N_("Project code %(code)s is already used."), field="code", code=code)
    if plan is not None and (plan.community_id != community.id or plan.year != plan_year):
        raise WorkflowError(
            N_("The plan is for another community or year than %(year)d."), field="plan", year=plan_year
        )
    stored = current_definition(session, settings_of(session, community).process_name)
    project = Project(
        community=community, code=code, title=title.strip(), description=description,
        project_type=project_type, purpose_code=purpose_code, plan_year=plan_year,
        plan_id=plan.id if plan is not None else None, responsible_person=responsible_person.strip(),
        expected_beneficiaries=expected_beneficiaries, stored_definition=stored,
        state=stored.definition.initial.id, state_since=utcnow(), created_by_id=by.id,
    )
    lines = _check_budget(session, budget or {})
    project.budget_lines = [BudgetLine(funding_source_code=c, amount=a) for c, a in lines.items()]
    session.add(project)
    session.flush()
    for need in needs:
        link_need(session, project, need)
    return project


def set_estimate(session: Session, project: Project, budget: Mapping[str, Decimal | int | str]) -> None:
    """Replace the estimated budget by source; only while the project is still being drafted.

    Once the deliberations start, residents vote on this figure, so it is frozen.
    """
    definition = project.definition
    first_vote = min((s.number for s in definition.steps if s.meetings), default=None)
    if project.approved_amount is not None or (first_vote is not None and project.step.number >= first_vote) \
            or project.step.final:
        raise WorkflowError(
            N_("Project %(project)s is past drafting; its estimate can no longer change."),
            field="budget", project=project.code,
        )
    lines = _check_budget(session, budget)
    project.budget_lines.clear()
    session.flush()
    project.budget_lines = [BudgetLine(funding_source_code=c, amount=a) for c, a in lines.items()]
    session.flush()


def spending_project(project: Project) -> LedgerProject:
    """The ledger project to book a payment against, if the project's step allows spending.

    The ledger refuses spending on a project it has not opened; this says why in the
    workflow's terms (not approved yet, or already closed) before a voucher is drafted.
    """
    if not project.step.spending or project.ledger_project is None:
        raise WorkflowError(
            N_("Project %(project)s is at step %(step)s; payments are allowed only once it is approved and "
               "being implemented."), field="project", project=project.code, step=project.step.title,
        )
    return project.ledger_project
