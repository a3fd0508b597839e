"""The year-end close (年终结账): closing vouchers, carry-over or return, next year's opening.

``close_year`` does, all or nothing, on 31 December of the book's year:

1. a closing voucher (结账凭证) that empties every revenue and expense account into
   3301 本期盈余 (financial basis) and every budget revenue and expenditure account into
   8101 财政拨款结转 when the money is carried over (结转), or into 8102 财政拨款结余 when
   the treasury takes it back (财政收回); lines keep their project, purpose and source;
2. a voucher moving 本期盈余 into 3001 累计盈余;
3. for a return: Dr 8102 / Cr 8001 资金结存 and Dr 3001 / Cr the source's asset account,
   per funding source, for what is left;
4. closes every open period of the year, so the year accepts no more postings;
5. opens next year's book if needed, with an opening voucher (期初凭证) holding this
   year's closing balance of every asset, liability, net-asset and fund-balance account,
   per funding source.

Every voucher goes through the ordinary posting rules (``ledger.clerks``), keyed so that
running the close again does nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .accounts import Account
from .base import money_sum
from .books import Book, open_book
from .clerks import Clerks, post_draft
from .dimensions import FundingSource, PurposeCategory
from .errors import DomainError, N_
from .periods import close_period
from .projects import LedgerProject
from .vouchers import (
    CLOSING_PREFIX, OPENING_PREFIX, POSTED, ZERO, LineDraft, Voucher, VoucherDraft, VoucherLine, net_debit,
)

CARRY_OVER, RETURN = "carry_over", "return"
DISPOSITIONS = (CARRY_OVER, RETURN)
SURPLUS, ACCUMULATED = "3301", "3001"
CARRIED, RETURNED, FUND_BALANCE = "8101", "8102", "8001"
PROFIT_AND_LOSS = ("revenue", "expense")
BUDGET_FLOWS = ("budget_revenue", "budget_expenditure")
BALANCE_SHEET = ("asset", "liability", "net_assets", "fund_balance")


class YearEndError(DomainError):
    """A year that cannot be closed as asked."""


@dataclass
class YearEnd:
    """What the close wrote (or found already written): its vouchers and next year's book."""

    book: Book
    next_book: Book | None
    vouchers: list[Voucher]
    opening: Voucher | None
    already_closed: bool = False


def closing_key(book: Book, step: str) -> str:
    return f"{CLOSING_PREFIX}{book.id}:{step}"


def opening_key(book: Book) -> str:
    """The key of the opening voucher that carries ``book``'s balances into the next year."""
    return f"{OPENING_PREFIX}yearend:{book.id}"


def _balances(session: Session, book: Book, categories, detailed: bool):
    """Net debit per account (and project, purpose when ``detailed``) and source."""
    keys = [Account.code, FundingSource.code]
    if detailed:
        keys += [LedgerProject.code, PurposeCategory.code]
    query = (
        select(*keys, money_sum(net_debit()))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .outerjoin(FundingSource, FundingSource.id == VoucherLine.funding_source_id)
        .outerjoin(LedgerProject, LedgerProject.id == VoucherLine.project_id)
        .outerjoin(PurposeCategory, PurposeCategory.id == VoucherLine.purpose_id)
        .where(Voucher.book_id == book.id, Voucher.status == POSTED, Account.category.in_(categories))
        .group_by(*keys).order_by(*keys)
    )
    return [row for row in session.execute(query).all() if row[-1] != 0]


def _line(account: str, net: Decimal, source=None, project=None, purpose=None) -> LineDraft:
    """A line that puts ``net`` (debit-positive) on ``account``."""
    side = {"debit": net} if net > 0 else {"credit": -net}
    return LineDraft(account, source=source, project=project, purpose=purpose, **side)


def _closing_lines(session: Session, book: Book, disposition: str) -> list[LineDraft]:
    """Empty revenue/expense into 3301 and budget flows into 8101 or 8102, per source."""
    lines, counterpart = [], defaultdict(lambda: ZERO)
    target = {"financial": SURPLUS, "budget": CARRIED if disposition == CARRY_OVER else RETURNED}
    for categories, basis in ((PROFIT_AND_LOSS, "financial"), (BUDGET_FLOWS, "budget")):
        for code, source, project, purpose, net in _balances(session, book, categories, True):
            lines.append(_line(code, -net, source, project, purpose))
            counterpart[target[basis], source] += net
    lines += [_line(code, net, source) for (code, source), net in counterpart.items() if net]
    return lines


def _after_closing(session: Session, book: Book, account: str) -> list[tuple[str, Decimal]]:
    rows = _balances(session, book, BALANCE_SHEET, False)
    return [(source, net) for code, source, net in rows if code == account]


def _return_lines(session: Session, book: Book) -> list[LineDraft]:
    """Give back what 8102 holds, per source: budget and financial basis alike."""
    lines = []
    for source_code, net in _after_closing(session, book, RETURNED):
        amount = -net  # a credit balance is money left over
        if amount <= 0 or source_code is None:
            continue
        source = session.scalar(select(FundingSource).where(FundingSource.code == source_code))
        lines += [
            _line(RETURNED, amount, source_code), _line(FUND_BALANCE, -amount, source_code),
            _line(ACCUMULATED, amount, source_code), _line(source.asset_account_code, -amount, source_code),
        ]
    return lines


def _post(session, book, clerks, date, description, lines, key) -> Voucher | None:
    if not lines:
        return None
    return post_draft(session, book, VoucherDraft(date, description, tuple(lines), key), clerks, system=True)


def _existing(session: Session, book: Book, prefix: str) -> list[Voucher]:
    return list(session.scalars(
        select(Voucher).where(Voucher.book_id == book.id,
                              Voucher.idempotency_key.startswith(prefix, autoescape=True))
        .order_by(Voucher.number)
    ))


def _next_book(session: Session, book: Book) -> Book | None:
    return session.scalar(select(Book).where(
        Book.organisation_id == book.organisation_id, Book.fiscal_year == book.fiscal_year + 1
    ))


def close_year(session: Session, book: Book, clerks: Clerks, disposition: str = CARRY_OVER) -> YearEnd:
    """Close ``book``'s year and open the next (see the module docstring). Flushes only.

    A year whose December is already closed is left as it is and reported as
    ``already_closed``. Anything refused (a draft left unposted, a closed January in
    next year's book...) leaves the database as it was.
    """
    if disposition not in DISPOSITIONS:
        raise YearEndError(
            N_("Disposition %(disposition)r is unknown: use carry_over or return."),
            field="disposition", disposition=disposition,
        )
    if book.period(12).is_closed:
        next_book = _next_book(session, book)
        opening = next_book and session.scalar(select(Voucher).where(
            Voucher.book_id == next_book.id, Voucher.idempotency_key == opening_key(book)))
        return YearEnd(book, next_book, _existing(session, book, f"{CLOSING_PREFIX}{book.id}:"),
                       opening, already_closed=True)
    _check_nothing_unposted(session, book)
    try:
        return _close(session, book, clerks, disposition)
    except Exception:
        for period in book.periods:  # a rolled-back savepoint leaves them closed in memory
            session.expire(period)
        raise


def _check_nothing_unposted(session: Session, book: Book) -> None:
    count = session.scalar(select(func.count(Voucher.id)).where(
        Voucher.book_id == book.id, Voucher.status != POSTED))
    if count:
        raise YearEndError(
            N_("Books %(book)s still have %(count)s vouchers not posted: post or discard them "
               "before the year-end close."), field="book", book=book.label, count=count,
        )


def _close(session: Session, book: Book, clerks: Clerks, disposition: str) -> YearEnd:
    year_end = dt.date(book.fiscal_year, 12, 31)
    with session.begin_nested():
        vouchers = [v for v in (
            _post(session, book, clerks, year_end, "年终结账：收入支出结转", _closing_lines(session, book, disposition),
                  closing_key(book, "flows")),
            _post(session, book, clerks, year_end, "年终结账：本期盈余转入累计盈余",
                  [_line(SURPLUS, -net, source) for source, net in _after_closing(session, book, SURPLUS)]
                  + [_line(ACCUMULATED, net, source) for source, net in _after_closing(session, book, SURPLUS)],
                  closing_key(book, "surplus")),
            disposition == RETURN and _post(
                session, book, clerks, year_end, "财政收回：结余资金上缴", _return_lines(session, book),
                closing_key(book, "return")),
        ) if v]
        for month in range(1, 13):
            if not book.period(month).is_closed:
                close_period(session, book, month, by=clerks.poster)
        next_book = _next_book(session, book) or open_book(
            session, book.organisation, book.fiscal_year + 1, chart=book.chart, by=clerks.poster
        )
        carried = [_line(code, net, source) for code, source, net in _balances(session, book, BALANCE_SHEET, False)]
        opening = _post(session, next_book, clerks, dt.date(book.fiscal_year + 1, 1, 1),
                        f"{book.fiscal_year}年结转期初余额", carried, opening_key(book))
    return YearEnd(book, next_book, vouchers, opening)
