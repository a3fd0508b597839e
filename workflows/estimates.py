"""Revising a project's estimated budget (修改项目预算) after it was created.

The estimate is what the residents deliberate and vote on, and what the street approves
against, so the community may change it only while the project is still being drafted
(before its first deliberation, and never once an amount is approved). A project the
street returns for revision is back in drafting and may be re-estimated there. Each
revision is a row of the project's history with who, when, and the old and new amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.base import MoneyError, money, utcnow
from ledger.users import User

from .errors import N_, RoleRefused, WorkflowError
from .events import ProjectEvent
from .projects import Project, set_estimate

EVENT = "revise_estimate"


def estimate_open(project: Project) -> bool:
    """Whether the project's step still lets its estimate change."""
    definition = project.definition
    first_vote = min((s.number for s in definition.steps if s.meetings), default=None)
    step = project.step
    return not (project.approved_amount is not None or step.final
                or (first_vote is not None and step.number >= first_vote))


def _amounts(project: Project) -> dict[str, str]:
    return {line.funding_source_code: str(line.amount) for line in project.budget_lines}


def revise_estimate(
    session: Session, project: Project, budget: Mapping[str, Decimal | int | str], *, by: User, role: str,
    reason: str = "",
) -> ProjectEvent:
    """Replace the estimate by funding source and record the change in the history (flushes).

    Only the community (``community_staff``) revises, only while ``estimate_open``; an
    empty or unchanged estimate is refused.
    """
    if role != "community_staff":
        raise RoleRefused(N_("Role %(role)s may not change a project's estimate."), field="role", role=role)
    session.scalars(select(Project).where(Project.id == project.id).with_for_update()).one()
    if not estimate_open(project):
        raise WorkflowError(
            N_("Project %(project)s is at step %(step)s: its estimate was put to the residents or approved "
               "and can no longer change. Only a project returned to drafting by the street can be "
               "re-estimated."),
            field="budget", project=project.code, step=project.step.title,
        )
    old, old_total = _amounts(project), project.estimated_amount
    try:
        new = {code: money(value) for code, value in budget.items() if value is not None}
    except MoneyError as error:
        raise WorkflowError(N_("Not an amount of money: %(problem)s."), field="budget", problem=str(error)) from None
    if not new:
        raise WorkflowError(N_("Enter the estimate from at least one funding source."), field="budget")
    if {c: str(a) for c, a in new.items()} == old:
        raise WorkflowError(N_("The estimate is unchanged."), field="budget")
    set_estimate(session, project, new)
    session.refresh(project, ["budget_lines"])
    event = ProjectEvent(
        project_id=project.id, actor_id=by.id, role=role, at=utcnow(), event=EVENT,
        from_state=project.state, to_state=project.state, reason=(reason or "").strip(), evidence_ids=[],
        details={"old_estimate": old, "new_estimate": _amounts(project),
                 "old_total": str(old_total), "new_total": str(project.estimated_amount)},
    )
    session.add(event)
    session.flush()
    return event
