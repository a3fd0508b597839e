"""The general ledger (总账) and the subsidiary ledger (明细账) of one account.

The subsidiary ledger lists every posted line of the account in date and voucher-number
order with its running balance, computed by the database as a window sum; it may be
narrowed to one project, purpose or funding source (账按用途核算). The general ledger
gives the same account month by month: opening, debits, credits and closing balance.
Balances are debit-positive; ``side`` says 借, 贷 or 平 as a printed ledger does.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from ..accounts import Account
from ..dimensions import FundingSource, PurposeCategory
from ..errors import N_
from ..organisations import Organisation
from ..projects import LedgerProject
from ..vouchers import Voucher, VoucherLine
from .common import MONEY, ZERO, ReportError, Scope, money_sum, net_debit, posted_lines

LEDGER_COLUMNS = [
    "date", "organisation", "number", "description", "project", "purpose", "source",
    "debit", "credit", "balance", "side",
]
GENERAL_COLUMNS = ["month", "opening", "debit", "credit", "closing", "side"]


def side(balance: Decimal) -> str:
    """借 for a debit balance, 贷 for a credit balance, 平 for none."""
    return "借" if balance > 0 else "贷" if balance < 0 else "平"


def _filters(account: str, project: str | None = None, purpose: str | None = None,
             source: str | None = None):
    conditions = [Account.code == account]
    if project:
        conditions.append(VoucherLine.project_id.in_(select(LedgerProject.id).where(LedgerProject.code == project)))
    if purpose:
        conditions.append(VoucherLine.purpose_id.in_(select(PurposeCategory.id).where(PurposeCategory.code == purpose)))
    if source:
        conditions.append(VoucherLine.funding_source_id.in_(select(FundingSource.id).where(FundingSource.code == source)))
    return conditions


def _check_account(session: Session, account: str) -> None:
    if session.scalar(select(func.count(Account.id)).where(Account.code == account)) == 0:
        raise ReportError(N_("Account %(account)s does not exist."), field="account", account=account)


def subsidiary_ledger(
    session: Session,
    scope: Scope,
    account: str,
    fiscal_year: int | None = None,
    project: str | None = None,
    purpose: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Every posted line of ``account`` in the scope, with the balance after each line."""
    _check_account(session, account)
    order = (Voucher.date, Organisation.code, Voucher.number, VoucherLine.position)
    running = type_coerce(func.sum(net_debit()).over(order_by=order), MONEY)
    rows = session.execute(
        select(
            Voucher.date, Organisation.code, Voucher.number, Voucher.description,
            LedgerProject.code, PurposeCategory.code, FundingSource.code,
            VoucherLine.debit, VoucherLine.credit, running,
        )
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .join(Organisation, Organisation.id == VoucherLine.organisation_id)
        .outerjoin(LedgerProject, LedgerProject.id == VoucherLine.project_id)
        .outerjoin(PurposeCategory, PurposeCategory.id == VoucherLine.purpose_id)
        .outerjoin(FundingSource, FundingSource.id == VoucherLine.funding_source_id)
        .where(*posted_lines(scope, fiscal_year), *_filters(account, project, purpose, source))
        .order_by(*order)
    ).all()
    records = [(*row, side(row[-1])) for row in rows]
    return pd.DataFrame.from_records(records, columns=LEDGER_COLUMNS)


def general_ledger(
    session: Session,
    scope: Scope,
    account: str,
    fiscal_year: int | None = None,
    **filters,
) -> pd.DataFrame:
    """``account`` month by month: opening, debits, credits and closing balance.

    Months without a line still appear, so a printed ledger shows every period.
    """
    _check_account(session, account)
    rows = dict(
        (period, (debit, credit)) for period, debit, credit in session.execute(
            select(Voucher.period, money_sum(VoucherLine.debit), money_sum(VoucherLine.credit))
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .join(Account, Account.id == VoucherLine.account_id)
            .where(*posted_lines(scope, fiscal_year), *_filters(account, **filters))
            .group_by(Voucher.period)
        )
    )
    records, balance = [], ZERO
    for month in range(1, 13):
        debit, credit = rows.get(month, (ZERO, ZERO))
        closing = balance + debit - credit
        records.append((month, balance, debit, credit, closing, side(closing)))
        balance = closing
    return pd.DataFrame.from_records(records, columns=GENERAL_COLUMNS)
