"""Figures read from posted lines: what a project spent, what a community received.

Budget control reads them from the running totals of ``ledger.totals`` (``budget_figures``);
the functions summing the lines themselves are the reference the tests hold those to.

Only posted vouchers count. Spending is the net debit of the spending category of a
basis (业务活动费用 etc. on the financial basis, 行政支出 etc. on the budget basis); money
received is the net credit of budget revenue (预算收入), the cash that actually arrived.
A project's spending is counted across all books of its organisation, because a
project's last invoice may be paid from next year's books.

Year-end closing vouchers (结账凭证, keyed ``closing:`` by ``ledger/yearend.py``) empty the
revenue and spending accounts into 本期盈余 and 结转/结余; counted, they would make last
year's spending vanish. They are left out, except for the money a closing gives back to
the treasury (财政收回), which leaves 资金结存 and so is no longer received.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .accounts import SPENDING_CATEGORY, Account
from .base import money
from .totals import BudgetTotal
from .vouchers import CLOSING_PREFIX, POSTED, Voucher, VoucherLine

#: The budget-basis account mirroring cash (资金结存); a closing that credits it gives money back.
FUND_BALANCE_ACCOUNT = "8001"


def _net_debit(session: Session, *conditions, closing: bool = False) -> Decimal:
    """Debits minus credits of posted lines meeting ``conditions``, in closing vouchers
    (``closing=True``) or in all the others."""
    is_closing = Voucher.idempotency_key.startswith(CLOSING_PREFIX, autoescape=True)
    debit, credit = session.execute(
        select(func.sum(VoucherLine.debit), func.sum(VoucherLine.credit))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .where(Voucher.status == POSTED, is_closing if closing else ~is_closing, *conditions)
    ).one()
    return money(debit or 0) - money(credit or 0)


def project_spent(
    session: Session, project_id: int, basis: str, source_id: int | None = None
) -> Decimal:
    """What a project has spent on ``basis``, optionally only from one funding source."""
    conditions = [VoucherLine.project_id == project_id, Account.category == SPENDING_CATEGORY[basis]]
    if source_id is not None:
        conditions.append(VoucherLine.funding_source_id == source_id)
    return _net_debit(session, *conditions)


def source_spent(session: Session, organisation_id: int, source_id: int, basis: str) -> Decimal:
    """What an organisation has spent on ``basis`` from one funding source, all years."""
    return _net_debit(
        session,
        VoucherLine.organisation_id == organisation_id,
        VoucherLine.funding_source_id == source_id,
        Account.category == SPENDING_CATEGORY[basis],
    )


def source_received(session: Session, organisation_id: int, source_id: int) -> Decimal:
    """The cash an organisation has received from one funding source and still holds
    the right to spend: all years, less what a year-end close gave back."""
    of_source = (
        VoucherLine.organisation_id == organisation_id, VoucherLine.funding_source_id == source_id
    )
    received = -_net_debit(session, *of_source, Account.category == "budget_revenue")
    given_back = -_net_debit(session, *of_source, Account.code == FUND_BALANCE_ACCOUNT, closing=True)
    return received - given_back


class BudgetFigures:
    """The figures budget control compares, for one organisation, read in one grouped query.

    The same numbers as ``project_spent``, ``source_spent`` and ``source_received`` (the
    tests hold them equal), for the given projects and funding sources: posting asks for
    six of them per voucher, and one pass over the organisation's lines serves them all.
    """

    def __init__(self, rows: Iterable[tuple] = ()):
        zeros = lambda: defaultdict(lambda: Decimal("0.00"))  # noqa: E731
        self._project = zeros()  # (project, category) -> net debit, closings left out
        self._project_source = zeros()  # (project, source, category) -> net debit, the same
        self._source = zeros()  # (source, category) -> net debit, the same
        self._given_back = zeros()  # source -> net credit of 资金结存 in closing vouchers
        for kind, *row in rows:
            amount = (row[-2] or Decimal("0.00")) - (row[-1] or Decimal("0.00"))
            if kind == "project":  # project, source, category: posted spending, no closing
                project, source, category = row[:3]
                self._project[project, category] += amount
                self._project_source[project, source, category] += amount
            else:  # source, category, is 资金结存, closing
                source, category, fund_balance, closing = row[:4]
                if not closing:
                    self._source[source, category] += amount
                elif fund_balance:
                    self._given_back[source] -= amount

    def add(self, voucher: Voucher) -> None:
        """Count ``voucher`` (not a closing one) as posted: a batch checks each voucher on
        top of the ones before it, as posting them one by one would."""
        for line in voucher.lines:
            amount, category = line.amount, line.account.category
            source = line.funding_source.id if line.funding_source else None
            if line.project is not None:
                self._project[line.project.id, category] += amount
                self._project_source[line.project.id, source, category] += amount
            self._source[source, category] += amount

    def project_spent(self, project_id: int, basis: str, source_id: int | None = None) -> Decimal:
        category = SPENDING_CATEGORY[basis]
        if source_id is None:
            return self._project[project_id, category]
        return self._project_source[project_id, source_id, category]

    def source_spent(self, source_id: int, basis: str) -> Decimal:
        return self._source[source_id, SPENDING_CATEGORY[basis]]

    def source_received(self, source_id: int) -> Decimal:
        return -self._source[source_id, "budget_revenue"] - self._given_back[source_id]


def budget_figures(
    session: Session, organisation_id: int, project_ids: Iterable[int], source_ids: Iterable[int]
) -> BudgetFigures:
    """Posted spending and receipts of ``organisation_id`` for ``project_ids`` and
    ``source_ids``, grouped once (a project's lines are its organisation's lines)."""
    return budget_figures_of(session, [organisation_id], project_ids, source_ids)[organisation_id]


def budget_figures_of(
    session: Session, organisation_ids: Iterable[int], project_ids: Iterable[int], source_ids: Iterable[int]
) -> dict[int, BudgetFigures]:
    """``budget_figures`` of several organisations, by organisation, in two grouped queries
    over the running totals (``ledger.totals``), a few rows per book whatever the number of
    vouchers: the projects' spending by source, and the organisations' money by source."""
    organisation_ids = sorted(set(organisation_ids))
    project_ids, source_ids = sorted(set(project_ids)), sorted(set(source_ids))
    totals = select().select_from(BudgetTotal).join(Account, Account.id == BudgetTotal.account_id)
    debit, credit = func.sum(BudgetTotal.debit), func.sum(BudgetTotal.credit)
    source = case((BudgetTotal.source_key == 0, None), else_=BudgetTotal.source_key)
    rows: dict = {organisation_id: [] for organisation_id in organisation_ids}
    if project_ids and organisation_ids:
        for organisation_id, *row in session.execute(totals.add_columns(
            BudgetTotal.organisation_id, BudgetTotal.project_key, source, Account.category, debit, credit,
        ).where(BudgetTotal.organisation_id.in_(organisation_ids), BudgetTotal.project_key.in_(project_ids),
                BudgetTotal.closing.is_(False)).group_by(
            BudgetTotal.organisation_id, BudgetTotal.project_key, BudgetTotal.source_key, Account.category,
        )):
            # a project's lines are its organisation's (``ledger.posting`` looks projects up there),
            # which is also what lets the organisation's index find them
            rows[organisation_id].append(("project", *row))
    if source_ids and organisation_ids:
        fund_balance = case((Account.code == FUND_BALANCE_ACCOUNT, 1), else_=0)
        for organisation_id, *row in session.execute(totals.add_columns(
            BudgetTotal.organisation_id, BudgetTotal.source_key, Account.category, fund_balance,
            BudgetTotal.closing, debit, credit,
        ).where(BudgetTotal.organisation_id.in_(organisation_ids), BudgetTotal.source_key.in_(source_ids))
          .group_by(BudgetTotal.organisation_id, BudgetTotal.source_key, Account.category, fund_balance,
                    BudgetTotal.closing)):
            rows[organisation_id].append(("source", *row))
    return {organisation_id: BudgetFigures(found) for organisation_id, found in rows.items()}
