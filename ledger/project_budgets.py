"""A community project's budget in the books: approved, opened for spending, closed.

The project life cycle (deliberation, publicity, approval, acceptance) lives in
``workflows/``; when the street office approves a project (审核备案) the workflow calls
``open_project_budget`` with the approved amount, then ``open_spending`` once money may
be spent, and ``close_project`` after acceptance, which releases what was not spent.
The ledger never imports the workflows.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts import BUDGET, FINANCIAL
from .base import MAX_ENTRY, money, utcnow
from .dimensions import FundingSource, PurposeCategory
from .errors import TOO_LARGE, N_
from .figures import project_spent
from .locks import lock_organisation, lock_projects
from .organisations import Organisation
from .projects import LedgerProject, ProjectBudgetShare, ProjectError
from .users import User


def _spent_on_either_basis(session: Session, project: LedgerProject) -> Decimal:
    return max(project_spent(session, project.id, basis) for basis in (FINANCIAL, BUDGET))


def open_project_budget(
    session: Session,
    community: Organisation,
    code: str,
    title: str,
    purpose: PurposeCategory,
    amount: Decimal | int | str,
    by_source: Mapping[FundingSource, Decimal | int | str] | None = None,
    by: User | None = None,
) -> LedgerProject:
    """Record the budget the street office approved for a community project.

    Calling it again for the same project re-approves it with the new figures (a budget
    increase or cut), as long as the new budget still covers what was already spent.
    """
    amount = money(amount)
    shares = {source: money(value) for source, value in (by_source or {}).items()}
    if amount < 0:
        raise ProjectError(N_("Approved amount %(amount)s is negative."), field="amount", amount=amount)
    if amount > MAX_ENTRY:
        raise ProjectError(TOO_LARGE, field="amount", amount=amount, max=MAX_ENTRY)
    if shares and sum(shares.values()) != amount:
        raise ProjectError(
            N_("Shares by funding source add up to %(shares)s, not the approved %(amount)s."),
            field="by_source", shares=sum(shares.values()), amount=amount,
        )
    if purpose.is_negative:
        raise ProjectError(
            N_("Purpose %(purpose)s is on the negative list and cannot be approved."),
            field="purpose", purpose=purpose.name,
        )
    if community.level not in ("community", "street"):
        raise ProjectError(
            N_("Projects belong to a community or a street, not a %(level)s."),
            field="community", level=community.level,
        )
    lock_organisation(session, community.id)
    project = session.scalar(select(LedgerProject).where(
        LedgerProject.organisation_id == community.id, LedgerProject.code == code
    ))
    if project is None:
        project = LedgerProject(organisation=community, code=code, approved_amount=amount)
        session.add(project)
    else:
        lock_projects(session, [project.id])
        if project.closed:
            raise ProjectError(
                N_("Project %(project)s is closed; its budget cannot be changed."),
                field="code", project=code,
            )
        spent = _spent_on_either_basis(session, project)
        if amount < spent:
            raise ProjectError(
                N_("Project %(project)s has already spent %(spent)s; it cannot be approved for %(amount)s."),
                field="amount", project=code, spent=spent, amount=amount,
            )
        project.approved_amount = amount
        project.shares.clear()
        session.flush()  # old shares go before new ones meet the unique constraint
    project.title, project.purpose = title, purpose
    project.approved_at, project.approved_by_id = utcnow(), by and by.id
    project.shares = [
        ProjectBudgetShare(funding_source=source, amount=value) for source, value in shares.items()
    ]
    session.flush()
    return project


def open_spending(session: Session, project: LedgerProject) -> LedgerProject:
    """Allow spending to be posted against ``project`` (资金拨付 may start)."""
    if project.closed:
        raise ProjectError(
            N_("Project %(project)s is closed; spending cannot be opened."),
            field="project", project=project.code,
        )
    project.spending_open = True
    session.flush()
    return project


def close_project(session: Session, project: LedgerProject) -> Decimal:
    """Close ``project`` and return the budget it leaves unspent (released to the pool).

    Spending is measured on whichever basis shows more, so a payable not yet paid still
    keeps its share of the budget.
    """
    lock_organisation(session, project.organisation_id)
    lock_projects(session, [project.id])
    if project.closed:
        raise ProjectError(
            N_("Project %(project)s is already closed."), field="project", project=project.code
        )
    released = project.approved_amount - _spent_on_either_basis(session, project)
    project.spending_open, project.closed, project.closed_at = False, True, utcnow()
    project.released_amount = max(released, money(0))
    session.flush()
    return project.released_amount
