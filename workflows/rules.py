"""The guards of the process (流程规则), one named predicate each, raising a readable reason.

A guard takes the transition's context and an optional argument (``notice_over:results``
passes ``results``) and returns quietly when the rule holds. ``machine.py`` hangs them
on the transitions a definition names; nothing else decides whether a project may move.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ledger.base import money

from .errors import N_, RuleFailed
from .events import ProjectEvent
from .evidence import Evidence
from .meetings import check_deliberations
from .needs import project_needs
from .publicity import latest_notice, unanswered
from .satisfaction import SatisfactionRating


def round_start(session, project) -> dt.datetime | None:
    """When the project last went back a step (returned for revision), or ``None``.

    Meetings, notices and evidence from before a return were about the old draft and
    no longer count.
    """
    definition = project.definition
    start = None
    for event in session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id)
    ):
        source, target = definition.step(event.from_state), definition.step(event.to_state)
        if not target.final and target.number < source.number:
            start = event.at
    return start


def needs_linked(ctx, _arg=None) -> None:
    count = ctx.session.scalar(
        select(func.count()).select_from(project_needs).where(project_needs.c.project_id == ctx.project.id)
    )
    if not count:
        raise RuleFailed(N_("Link at least one resident need to the project first."), field="needs")


def budget_estimated(ctx, _arg=None) -> None:
    if ctx.project.estimated_amount <= 0:
        raise RuleFailed(N_("Enter the estimated budget by funding source first."), field="budget")


def deliberations(ctx, _arg=None) -> None:
    check_deliberations(ctx.session, ctx.project, round_start(ctx.session, ctx.project))


def notice_over(ctx, kind: str) -> None:
    notice = latest_notice(ctx.session, ctx.project, kind, round_start(ctx.session, ctx.project))
    if notice is None:
        raise RuleFailed(N_("The %(kind)s notice has not been published."), field="notice", kind=kind)
    if notice.ends_at > ctx.now:
        left = notice.ends_at - ctx.now
        raise RuleFailed(
            N_("The %(kind)s notice runs until %(ends)s; %(days)d day(s) %(hours)d hour(s) left."),
            field="notice", kind=kind, ends=notice.ends_at.isoformat(timespec="minutes"),
            days=left.days, hours=left.seconds // 3600,
        )


def no_open_objections(ctx, _arg=None) -> None:
    count = unanswered(ctx.session, ctx.project)
    if count:
        raise RuleFailed(
            N_("%(count)d objection(s) to the project's notices are not answered yet."), field="objections", count=count
        )


def approved_amount(ctx, _arg=None) -> None:
    if ctx.amount is None:
        raise RuleFailed(N_("Give the approved amount."), field="amount")
    amount, asked = money(ctx.amount), ctx.project.estimated_amount
    if amount <= 0 or amount > asked:
        raise RuleFailed(
            N_("Approved amount %(amount)s must be more than 0 and at most the %(asked)s asked for."),
            field="amount", amount=amount, asked=asked,
        )


def emergency(ctx, _arg=None) -> None:
    if not ctx.project.is_emergency:
        raise RuleFailed(
            N_("Only emergency projects may be approved before deliberation; this one is %(type)s."),
            field="project_type", type=ctx.project.project_type,
        )


def emergency_followed_up(ctx, _arg=None) -> None:
    """An emergency approved in advance must have its deliberations and resolution notice on record."""
    project = ctx.project
    if project.follow_up_due is None:
        return
    deliberations(ctx)
    first_spending = min((s.number for s in ctx.definition.steps if s.spending), default=0)
    for step in ctx.definition.steps:
        if step.notice and step.number < first_spending:
            if latest_notice(ctx.session, project, step.notice) is None:
                raise RuleFailed(
                    N_("Emergency project: the %(kind)s notice was due by %(due)s and is not published."),
                    field="notice", kind=step.notice, due=project.follow_up_due.date().isoformat(),
                )
    no_open_objections(ctx)


def evidence(ctx, kind: str) -> None:
    query = select(func.count(Evidence.id)).where(Evidence.project_id == ctx.project.id, Evidence.kind == kind)
    since = round_start(ctx.session, ctx.project)
    if since is not None:
        query = query.where(Evidence.uploaded_at >= since)
    if not ctx.session.scalar(query):
        raise RuleFailed(N_("Upload the %(kind)s first."), field="evidence", kind=kind)


def satisfaction(ctx, _arg=None) -> None:
    count = ctx.session.scalar(
        select(func.count(SatisfactionRating.id)).where(SatisfactionRating.project_id == ctx.project.id)
    )
    if not count:
        raise RuleFailed(N_("Record the residents' satisfaction survey first."), field="satisfaction")


GUARDS = {
    f.__name__: f for f in (
        needs_linked, budget_estimated, deliberations, notice_over, no_open_objections, approved_amount,
        emergency, emergency_followed_up, evidence, satisfaction,
    )
}
