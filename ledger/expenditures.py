"""Money out: a payment for a project (支出报销), booked in both bases.

The common case written once: Dr 5001 业务活动费用 / Cr the source's cash account, and
Dr 7101 行政支出 / Cr 8001 资金结存, every line naming project, purpose and funding
source. The street office is an administrative unit, hence 行政支出; a caller keeping
books for a public institution passes ``budget_account="7201"`` (事业支出).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from .allocations import FUND_BALANCE_ACCOUNT
from .base import money
from .books import Book
from .dimensions import FundingSource, PurposeCategory
from .posting import prepare_voucher
from .projects import LedgerProject
from .users import User
from .vouchers import LineDraft, Voucher, VoucherDraft


def expenditure_lines(
    project: LedgerProject,
    source: FundingSource,
    amount: Decimal,
    purpose: PurposeCategory | None = None,
    expense_account: str = "5001",
    budget_account: str = "7101",
    paid_from: str | None = None,
    memo: str = "",
) -> tuple[LineDraft, ...]:
    """The four lines of a project payment, one balanced pair per basis."""
    tags = dict(
        project=project.code, purpose=(purpose or project.purpose).code, source=source.code
    )
    return (
        LineDraft(expense_account, debit=amount, memo=memo, **tags),
        LineDraft(paid_from or source.asset_account_code, credit=amount, source=source.code),
        LineDraft(budget_account, debit=amount, memo=memo, **tags),
        LineDraft(FUND_BALANCE_ACCOUNT, credit=amount, source=source.code),
    )


def record_expenditure(
    session: Session,
    book: Book,
    project: LedgerProject,
    source: FundingSource,
    amount: Decimal | int | str,
    on: dt.date,
    description: str,
    by: User,
    key: str | None = None,
    **line_options,
) -> Voucher:
    """Prepare the voucher of a payment for ``project`` from ``source`` money.

    ``line_options`` are passed to ``expenditure_lines`` (purpose, accounts, memo).
    The voucher still needs review and posting, where the budget limits are enforced.
    """
    lines = expenditure_lines(project, source, money(amount), **line_options)
    return prepare_voucher(session, book, VoucherDraft(on, description, lines, key), by)
