"""Closing a month of a book (结账): in order, with nothing left unposted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .base import utcnow
from .books import Book, BookError, Period
from .errors import N_
from .locks import lock_book, lock_organisation
from .users import User
from .vouchers import Voucher


def close_period(session: Session, book: Book, month: int, by: User) -> Period:
    """Close period ``month`` of ``book`` (结账): in order, and with nothing left unposted.

    Closing is final; a mistake found later is corrected in an open period by reversal.
    """
    if not 1 <= month <= 12:
        raise BookError(N_("Month %(month)s is not 1 to 12."), field="month", month=month)
    # Same lock order as posting, so a voucher cannot slip into a period being closed.
    lock_organisation(session, book.organisation_id)
    lock_book(session, book.id)
    for period in book.periods:
        session.refresh(period)
    period = book.period(month)
    if period.is_closed:
        raise BookError(
            N_("Period %(year)s-%(month)02d of books %(book)s is already closed."),
            field="month", year=book.fiscal_year, month=month, book=book.label,
        )
    if month > 1 and not book.period(month - 1).is_closed:
        raise BookError(
            N_("Period %(year)s-%(previous)02d must be closed before %(year)s-%(month)02d."),
            field="month", year=book.fiscal_year, previous=month - 1, month=month,
        )
    unposted = session.scalar(
        select(func.count()).select_from(Voucher).where(
            Voucher.book_id == book.id, Voucher.period == month, Voucher.status != "posted"
        )
    )
    if unposted:
        raise BookError(
            N_("Period %(year)s-%(month)02d still has %(count)s unposted vouchers."),
            field="month", year=book.fiscal_year, month=month, count=unposted,
        )
    period.closed_at, period.closed_by = utcnow(), by
    session.flush()
    return period
