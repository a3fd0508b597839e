"""Budget control (预算控制): no project spends past its approval, no money is spent twice.

Two limits, checked on both bases at posting time:
* a project spends no more than the street office approved (in total, and per funding
  source when the approval was split);
* an organisation spends no more of a funding source's money than it has received from
  that source (all years together, since unspent money is carried over 结转).
A voucher is refused only if it makes a limit worse, so a reversal or refund always
posts.
Past a limit a voucher posts only with a request that someone with the authority to
approve more money granted (``ledger/overrides.py``), for the limits as they stand at
posting. The caller must hold the locks of ``ledger/locks.py`` so that the figures cannot
change before the voucher is posted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from .accounts import BUDGET, FINANCIAL
from .errors import N_
from .figures import BudgetFigures, budget_figures
from .rules import VoucherError
from .users import User
from .vouchers import GRANTED, BudgetOverride, OverrideRequest, Voucher

BASES = (FINANCIAL, BUDGET)


class BudgetExceeded(VoucherError):
    """A posting that would take spending past a limit; ``breaches`` lists them all."""

    def __init__(self, breaches: list[Breach]):
        self.breaches = breaches
        first = breaches[0]
        super().__init__(first.template, field="lines", **first.params)


class OverrideOutdated(BudgetExceeded):
    """A granted request whose limits no longer stand as they did: the figures moved."""

    def __init__(self, breaches: list[Breach], granted: OverrideRequest):
        self.breaches, self.granted = breaches, granted
        VoucherError.__init__(
            self, N_("The figures of voucher %(voucher)s changed since %(user)s allowed it past the budget; "
                     "ask again for the limits as they stand now."),
            field="override", voucher=granted.voucher.label, user=granted.answered_by.display_name,
        )


class OverrideError(VoucherError):
    """A request to post past a limit that cannot be asked, answered or used as it is."""


@dataclass(frozen=True)
class Breach:
    """One limit a voucher would break, with the figures the message quotes."""

    template: str
    params: dict

    @property
    def message(self) -> str:
        return self.template % self.params


def _zeros() -> defaultdict:
    return defaultdict(lambda: Decimal("0.00"))


@dataclass
class Effects:
    """How a voucher moves the figures budget control watches."""

    project: dict = field(default_factory=_zeros)  # (project, basis) -> spending
    project_source: dict = field(default_factory=_zeros)  # (project, source, basis) -> spending
    source_spent: dict = field(default_factory=_zeros)  # (source, basis) -> spending
    source_received: dict = field(default_factory=_zeros)  # source -> cash received


def effects_of(voucher: Voucher) -> Effects:
    """What ``voucher`` adds to each watched figure (negative for refunds and reversals)."""
    effects = Effects()
    for line in voucher.lines:
        account, source, project = line.account, line.funding_source, line.project
        if account.is_spending:
            if project is not None:
                effects.project[project, account.basis] += line.amount
                if project.shares and source is not None:
                    effects.project_source[project, source, account.basis] += line.amount
            if source is not None:
                effects.source_spent[source, account.basis] += line.amount
        elif account.category == "budget_revenue" and source is not None:
            effects.source_received[source] -= line.amount
    return effects


def breaches_of(session: Session, voucher: Voucher) -> list[Breach]:
    """Every budget limit ``voucher`` would break, given what is already posted."""
    effects = effects_of(voucher)
    sources = {s for s, _ in effects.source_spent} | set(effects.source_received)
    figures = budget_figures(
        session, voucher.book.organisation_id, [project.id for project, _ in effects.project],
        [s.id for s in sources])
    return breaches_against(figures, voucher, effects)


def breaches_against(figures: BudgetFigures, voucher: Voucher, effects: Effects | None = None) -> list[Breach]:
    """Every budget limit ``voucher`` would break on top of ``figures`` (posted so far)."""
    effects, breaches = effects or effects_of(voucher), []
    organisation = voucher.book.organisation
    sources = {s for s, _ in effects.source_spent} | set(effects.source_received)
    for (project, basis), amount in effects.project.items():
        spent = figures.project_spent(project.id, basis)
        if amount > 0 and spent + amount > project.approved_amount:
            breaches.append(Breach(
                N_("Project %(project)s would be overspent on the %(basis)s basis: approved "
                   "%(approved)s, spent %(spent)s, this voucher %(amount)s."),
                dict(project=project.code, basis=basis, approved=project.approved_amount,
                     spent=spent, amount=amount),
            ))
    for (project, source, basis), amount in effects.project_source.items():
        approved = project.share(source.id) or Decimal("0.00")
        spent = figures.project_spent(project.id, basis, source.id)
        if amount > 0 and spent + amount > approved:
            breaches.append(Breach(
                N_("Project %(project)s would spend more %(source)s money than approved on the "
                   "%(basis)s basis: approved %(approved)s, spent %(spent)s, this voucher %(amount)s."),
                dict(project=project.code, source=source.code, basis=basis, approved=approved,
                     spent=spent, amount=amount),
            ))
    for source in sorted(sources, key=lambda s: s.code):
        received = figures.source_received(source.id)
        received_after = received + effects.source_received.get(source, 0)
        for basis in BASES:
            change = effects.source_spent.get((source, basis), 0)
            if change <= 0 and received_after >= received:
                continue  # neither more spending nor less money: cannot make it worse
            spent = figures.source_spent(source.id, basis)
            if spent + change > received_after:
                breaches.append(Breach(
                    N_("%(organisation)s would spend more %(source)s money than it received on "
                       "the %(basis)s basis: received %(received)s, spent %(spent)s; after this "
                       "voucher received %(received_after)s, spent %(spent_after)s."),
                    dict(organisation=organisation.code, source=source.code, basis=basis,
                         received=received, spent=spent, received_after=received_after,
                         spent_after=spent + change),
                ))
    return breaches


def breach_text(breaches: list[Breach]) -> str:
    """The refusals as recorded on a request and an override: one message a line."""
    return "\n".join(b.message for b in breaches)


def granted_request(voucher: Voucher) -> OverrideRequest | None:
    """The request to post ``voucher`` past its limits that was granted, if any."""
    return next((r for r in voucher.override_requests if r.status == GRANTED), None)


def enforce_budget(session: Session, voucher: Voucher, poster: User) -> BudgetOverride | None:
    """Refuse ``voucher`` if it breaks a limit, unless a request granted by someone other
    than ``poster`` allows it (recorded)."""
    breaches = breaches_of(session, voucher)
    if not breaches:
        return None
    session.refresh(voucher, ["override_requests"])  # answered since the voucher was read
    granted = granted_request(voucher)
    if granted is None:
        raise BudgetExceeded(breaches)
    if granted.breaches != breach_text(breaches):
        raise OverrideOutdated(breaches, granted)
    if granted.answered_by_id == poster.id:
        raise OverrideError(
            N_("%(user)s allowed voucher %(voucher)s past the budget and cannot also post it."),
            field="by", user=poster.username, voucher=voucher.label,
        )
    record = BudgetOverride(
        voucher=voucher, reason=granted.reason, by=granted.answered_by, request=granted,
        breaches=granted.breaches,
    )
    session.add(record)
    return record
