"""The trial balance (试算平衡表) of a book, or of every book under an organisation.

One row per account of the chosen basis (financial or budget): opening balance (期初),
debits and credits of the months asked for (本期发生额) and closing balance (期末), each
balance split into a debit and a credit column as accountants read it. The sums are
grouped by the database; every basis balances on its own, so the debit and credit
columns of the totals agree. ``trial_balances`` gives both bases from one grouped query.
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


def _check_basis(basis: str) -> None:
    if basis not in (FINANCIAL, BUDGET):
        raise ReportError(
            N_("Basis %(basis)r is unknown: use financial or budget."), field="basis", basis=basis
        )


def _check_months(months: tuple[int, int]) -> None:
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
    _check_basis(basis)
    _check_months(months)
    return _frames(session, scope, fiscal_year, (basis,), months)[basis]


def trial_balances(
    session: Session,
    scope: Scope,
    fiscal_year: int | None = None,
    months: tuple[int, int] = (1, 12),
) -> dict[str, pd.DataFrame]:
    """``{basis: trial balance}`` of both bases, from one pass over the scope's lines.

    Each frame is exactly ``trial_balance`` of its basis; asking for both at once costs
    one grouped query instead of two (the city-wide figure reads every line once).
    """
    _check_months(months)
    return _frames(session, scope, fiscal_year, (FINANCIAL, BUDGET), months)


def _frames(session, scope, fiscal_year, bases: tuple[str, ...], months) -> dict[str, pd.DataFrame]:
    """The trial balances of ``bases``: the lines summed per account and opening-or-not in one
    pass (an integer and a flag to group by, as a bare ``GROUP BY`` would), then those few
    sums split into columns per account (EXPLAIN ANALYZE: grouping every line by four text
    columns with four conditional sums cost half as much again as the pass itself)."""
    first, last = months
    opening = or_(Voucher.period < first, is_opening()).label("opening")
    conditions = [*posted_lines(scope, fiscal_year), Voucher.period <= last]
    if len(bases) == 1:
        conditions.append(VoucherLine.account_id.in_(select(Account.id).where(Account.basis == bases[0])))
    sums = (
        select(VoucherLine.account_id, opening, money_sum(VoucherLine.debit).label("debit"),
               money_sum(VoucherLine.credit).label("credit"))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .where(*conditions)
        .group_by(VoucherLine.account_id, opening)
    ).subquery()
    before, within = sums.c.opening, ~sums.c.opening
    rows = session.execute(
        select(
            Account.basis, Account.code, Account.name, Account.category,
            money_sum(case((before, sums.c.debit), else_=0)),
            money_sum(case((before, sums.c.credit), else_=0)),
            money_sum(case((within, sums.c.debit), else_=0)),
            money_sum(case((within, sums.c.credit), else_=0)),
        )
        .select_from(sums).join(Account, Account.id == sums.c.account_id)
        .where(Account.basis.in_(bases))
        .group_by(Account.basis, Account.code, Account.name, Account.category)
        .order_by(Account.code, Account.name, Account.category)
    ).all()
    records: dict[str, list] = {basis: [] for basis in bases}
    for basis, code, name, category, open_dr, open_cr, debit, credit in rows:
        opening_balance = open_dr - open_cr
        records[basis].append((
            code, name, category, *_split(opening_balance), debit, credit,
            *_split(opening_balance + debit - credit),
        ))
    return {basis: pd.DataFrame.from_records(found, columns=COLUMNS) for basis, found in records.items()}


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
