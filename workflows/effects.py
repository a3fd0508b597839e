"""What a transition does besides moving the project: notices and the ledger's budget.

The ledger is told through its own functions (``ledger.projects``): the street's
approved amount opens the project's budget, implementation opens spending, and closing
the project releases what was not spent. Effects run before the state changes, so a
refusal by the ledger leaves the project where it was.
"""

from __future__ import annotations

import datetime as dt

from ledger.base import money
from ledger.dimensions import funding_source, purpose
from ledger.project_budgets import close_project, open_project_budget, open_spending

from .errors import N_, WorkflowError
from .publicity import open_notice as _open_notice


def open_notice(ctx, kind: str) -> None:
    """Publish the step's notice for the process's publicity period."""
    _open_notice(ctx.session, ctx.project, kind, days=ctx.definition.publicity_days, by=ctx.actor, starts_at=ctx.now)


def open_budget(ctx, _arg=None) -> None:
    """Make the approved amount the project's budget in the ledger (审核备案)."""
    project, session = ctx.project, ctx.session
    amount = money(ctx.amount)
    split = ctx.by_source
    if split is None and amount == project.estimated_amount:
        split = {line.funding_source_code: line.amount for line in project.budget_lines}
    shares = {}
    for code, value in (split or {}).items():
        source = funding_source(session, code)
        if source is None:
            raise WorkflowError(N_("Funding source %(source)s is unknown."), field="by_source", source=code)
        shares[source] = value
    community = project.community
    category = purpose(session, community.ancestor_at("city"), project.purpose_code)
    if category is None or not category.is_active:
        raise WorkflowError(
            N_("Purpose %(purpose)s is no longer on the city's list."), field="purpose_code",
            purpose=project.purpose_code,
        )
    ledger_project = open_project_budget(
        session, community, project.code, project.title, category, amount, by_source=shares or None, by=ctx.actor
    )
    project.ledger_project = ledger_project
    project.approved_amount, project.approved_at = amount, ctx.now
    ctx.details["approved_amount"] = str(amount)


def open_spending_(ctx, _arg=None) -> None:
    """Let the ledger accept spending on the project (资金拨付)."""
    open_spending(ctx.session, ctx.project.ledger_project)


def close_budget(ctx, _arg=None) -> None:
    """Close the project in the ledger; what was not spent goes back to the pool (结余)."""
    if ctx.project.ledger_project is None:
        return
    released = close_project(ctx.session, ctx.project.ledger_project)
    ctx.project.released_amount = released
    ctx.details["released_amount"] = str(released)


def emergency_follow_up(ctx, _arg=None) -> None:
    """Start the clock for an emergency's deliberations and publicity (事后补议)."""
    ctx.project.follow_up_due = ctx.now + dt.timedelta(days=ctx.definition.emergency_follow_up_days)
    ctx.details["follow_up_due"] = ctx.project.follow_up_due.isoformat()


EFFECTS = {
    "open_notice": open_notice, "open_budget": open_budget, "open_spending": open_spending_,
    "close_budget": close_budget, "emergency_follow_up": emergency_follow_up,
}
