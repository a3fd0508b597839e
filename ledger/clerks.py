"""The three people a voucher needs, and posting a draft through all three steps.

Every voucher is prepared (制单), reviewed (审核) and posted (记账) by different people;
the imports and the year-end close are no exception, so they are handed a ``Clerks``
and go through ``ledger.posting`` like any clerk's request, every rule applying.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session

from .books import Book
from .posting import post_voucher, prepare_voucher, review_voucher
from .users import User
from .vouchers import DRAFT, POSTED, Voucher, VoucherDraft


class Clerks(NamedTuple):
    """Who prepares, who reviews and who posts the vouchers a batch job writes."""

    preparer: User
    reviewer: User
    poster: User


def post_through(session: Session, voucher: Voucher, clerks: Clerks) -> Voucher:
    """Review and post ``voucher`` (already posted: returned as it is)."""
    if voucher.status == POSTED:
        return voucher
    if voucher.status == DRAFT:
        review_voucher(session, voucher, by=clerks.reviewer)
    return post_voucher(session, voucher, by=clerks.poster)


def post_draft(session: Session, book: Book, draft: VoucherDraft, clerks: Clerks, system: bool = False) -> Voucher:
    """Prepare, review and post ``draft`` in ``book``; the same key returns the same voucher.
    ``system``: the year-end close and the opening balances, whose keys are reserved."""
    voucher = prepare_voucher(session, book, draft, by=clerks.preparer, system=system)
    return post_through(session, voucher, clerks)
