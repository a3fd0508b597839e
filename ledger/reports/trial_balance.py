"""The trial balance (试算平衡表) of a book, or of every book under an organisation.

One row per account of the chosen basis (financial or budget): opening balance (期初),
debits and credits of the months asked for (本期发生额) and closing balance (期末), each
balance split into a debit and a credit column as accountants read it. The sums are
grouped by the database; every basis balances on its own, so the debit and credit
columns of the totals agree.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from ..accounts import BUDGET, FINANCIAL, Account
from ..errors import N_
from ..vouchers import Voucher, VoucherLine
from .common import ZERO, ReportError, Scope, is_opening, money_sum, posted_lines

COLUMNS = [
    "account", "name", "category", "opening_debit", "opening_credit", "debit", "credit",
    "closing_debit", "closing_credit",
]
AMOUNTS = COLUMNS[3:]


def _check(basis: str, months: tuple[int, int]) -> None:
    if basis not in (FINANCIAL, BUDGET):
        raise ReportError(
            N_("Basis %(basis)r is unknown: use financial or budget."), field="basis", basis=basis
        )
    first, last = months
    if not 1 <= first <= last <= 12:
        raise ReportError(
            N_("Months %(first)s to %(last)s are not a range within 1 to 12."), field="months",
            first=first, last=last,
        )


def _split(balance: Decimal) -> tuple[Decimal, Decimal]:
    return (balance, ZERO) if balance >= 0 else (ZERO, -balance)


def trial_balance(
    session: Session,
    scope: Scope,
    fiscal_year: int | None = None,
    basis: str = FINANCIAL,
    months: tuple[int, int] = (1, 12),
) -> pd.DataFrame:
    """The trial balance of ``scope`` on ``basis`` for ``months`` (first, last) of the year.

    Lines before the first month, and the year's opening voucher, make the opening
    balance. Accounts without any posted line are left out.
    """
    _check(basis, months)
    first, last = months
    before = or_(Voucher.period < first, is_opening())
    within = ~before
    rows = session.execute(
        select(
            Account.code, Account.name, Account.category,
            money_sum(case((before, VoucherLine.debit), else_=0)),
            money_sum(case((before, VoucherLine.credit), else_=0)),
            money_sum(case((within, VoucherLine.debit), else_=0)),
            money_sum(case((within, VoucherLine.credit), else_=0)),
        )
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .where(*posted_lines(scope, fiscal_year), Account.basis == basis, Voucher.period <= last)
        .group_by(Account.code, Account.name, Account.category)
        .order_by(Account.code)
    ).all()
    records = []
    for code, name, category, open_dr, open_cr, debit, credit in rows:
        opening = open_dr - open_cr
        records.append((
            code, name, category, *_split(opening), debit, credit,
            *_split(opening + debit - credit),
        ))
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def totals(frame: pd.DataFrame) -> dict[str, Decimal]:
    """The sum of each amount column (exact ``Decimal``)."""
    return {column: sum(frame[column], ZERO) for column in AMOUNTS}


def is_balanced(frame: pd.DataFrame) -> bool:
    """Whether opening, movements and closing each balance (debits equal credits)."""
    sums = totals(frame)
    return all(sums[f"{side}debit"] == sums[f"{side}credit"] for side in ("opening_", "", "closing_"))


def with_totals(frame: pd.DataFrame, label: str = "合计") -> pd.DataFrame:
    """``frame`` with a last row of totals, for printing and export."""
    row = {"account": label, "name": "", "category": "", **totals(frame)}
    return pd.concat([frame, pd.DataFrame([row], columns=COLUMNS)], ignore_index=True)
