"""Figures read from posted lines: what a project spent, what a community received.

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

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .accounts import SPENDING_CATEGORY, Account
from .base import money
from .vouchers import POSTED, Voucher, VoucherLine

#: The key prefix of year-end closing vouchers (``ledger/yearend.py``, ``ledger/reports``).
CLOSING_PREFIX = "closing:"
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
