"""Books, vouchers and allocations through the API: the same cores as the finance pages.

Reading needs ``books.view`` over the book's organisation, writing ``books.post``. A
book or voucher outside the token's scope answers 404, as if it did not exist.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ledger.allocations import record_allocation
from ledger.books import Book
from ledger.dimensions import funding_source
from ledger.organisations import Organisation
from ledger.posting import post_voucher, prepare_voucher, replayed, reverse_voucher, review_voucher
from ledger.retry import run_transaction
from ledger.vouchers import STATUSES, LineDraft, Voucher, VoucherDraft, VoucherLine

from ..auth.access import scope
from ..extensions import db
from . import serialize
from .auth import allow, principal
from .common import get_or_404, json_response, organisation, page, run, with_paging
from .problems import ApiProblem
from .validation import (
    Field, amount, array, choice, date, date_param, idempotency_key, int_param, obj, optional,
    parse_body, parse_query, string, text_param,
)

#: Idempotency keys sent through the API are kept with this prefix, apart from the keys
#: the imports and the year-end close write ("opening:", "closing:"), which reports read.
KEY_PREFIX = "api:"

LINE = obj({
    "account": Field(string(32)),
    "debit": optional(amount),
    "credit": optional(amount),
    "project": optional(string(32)),
    "purpose": optional(string(32)),
    "source": optional(string(32)),
    "memo": optional(string(200, allow_blank=True), ""),
})
VOUCHER = {
    "date": Field(date),
    "description": Field(string(500)),
    "lines": Field(array(LINE, 2, 200)),
}
REVERSAL = {"date": optional(date), "description": optional(string(500))}
ALLOCATION = {
    "source": Field(string(32)),
    "amount": Field(amount),
    "arrived_on": Field(date),
    "reference": optional(string(100, allow_blank=True), ""),
    "date": optional(date),
}


def _book(book_id: int, action: str = "books.view") -> Book:
    book = get_or_404(Book, book_id)
    allow(action, book.organisation)
    return book


def _voucher(voucher_id: int, action: str = "books.view") -> Voucher:
    voucher = get_or_404(Voucher, voucher_id)
    allow(action, voucher.book.organisation)
    return voucher


#: Everything a voucher's answer shows, read in three queries rather than one per line and
#: field (after a commit the session has forgotten it all).
VOUCHER_IN_FULL = (
    joinedload(Voucher.book).joinedload(Book.organisation),
    joinedload(Voucher.prepared_by), joinedload(Voucher.reviewed_by), joinedload(Voucher.posted_by),
    joinedload(Voucher.reversed_by),
    selectinload(Voucher.lines).options(
        joinedload(VoucherLine.account), joinedload(VoucherLine.project), joinedload(VoucherLine.purpose),
        joinedload(VoucherLine.funding_source)),
)


def _answer(voucher: Voucher) -> dict:
    """The voucher as the API shows it, as it now stands in the database."""
    return serialize.voucher(db.session.scalars(
        select(Voucher).where(Voucher.id == voucher.id).options(*VOUCHER_IN_FULL)
        .execution_options(populate_existing=True)).one())


def list_books():
    params = parse_query(with_paging({
        "organisation": optional(text_param(32)),
        "fiscal_year": optional(int_param(2000, 2999)),
    }))
    stmt = scope(
        select(Book).join(Organisation, Organisation.id == Book.organisation_id), "books.view",
        principal(),
    ).order_by(Organisation.path, Book.fiscal_year)
    if params["organisation"]:
        org = organisation(params["organisation"], "books.view")
        stmt = stmt.where(Organisation.path.startswith(org.path, autoescape=True))
    if params["fiscal_year"]:
        stmt = stmt.where(Book.fiscal_year == params["fiscal_year"])
    return json_response(page(stmt, params, serialize.book))


def get_book(book_id: int):
    parse_query({})
    return json_response(serialize.book(_book(book_id)))


def list_vouchers(book_id: int):
    params = parse_query(with_paging({
        "status": optional(choice(STATUSES)),
        "from": optional(date_param),
        "to": optional(date_param),
    }))
    book = _book(book_id)
    stmt = select(Voucher).where(Voucher.book_id == book.id)
    if params["status"]:
        stmt = stmt.where(Voucher.status == params["status"])
    if params["from"]:
        stmt = stmt.where(Voucher.date >= params["from"])
    if params["to"]:
        stmt = stmt.where(Voucher.date <= params["to"])
    stmt = stmt.order_by(Voucher.date, Voucher.number.is_(None), Voucher.number, Voucher.id)
    return json_response(page(stmt, params, serialize.voucher))


def get_voucher(voucher_id: int):
    parse_query({})
    return json_response(_answer(_voucher(voucher_id)))


def create_voucher(book_id: int):
    """Prepare a draft voucher; the same Idempotency-Key and body return the same voucher."""
    book = _book(book_id, "books.post")
    key = KEY_PREFIX + idempotency_key()
    body = parse_body(VOUCHER)
    lines = tuple(
        LineDraft(account=line["account"], debit=line["debit"] or 0, credit=line["credit"] or 0,
                  project=line["project"], purpose=line["purpose"], source=line["source"],
                  memo=line["memo"])
        for line in body["lines"]
    )
    draft = VoucherDraft(date=body["date"], description=body["description"], lines=lines, key=key)
    voucher = run(lambda: prepare_voucher(db.session, book, draft, by=principal().user))
    db.session.commit()
    return _created(_answer(voucher), replayed(db.session, voucher), f"/api/v1/vouchers/{voucher.id}")


def _created(data: dict, replay: bool, location: str):
    """201 Created, for the first request and its replays alike; a replay says so in
    ``Idempotent-Replayed: true`` (as payment APIs do), so a client retrying after a lost
    answer reads the same answer."""
    headers = {"Location": location, **({"Idempotent-Replayed": "true"} if replay else {})}
    return json_response(data, 201, headers)


def _no_body() -> None:
    parse_body({}, required=False)


def review(voucher_id: int):
    voucher = _voucher(voucher_id, "books.post")
    _no_body()
    run(lambda: review_voucher(db.session, voucher, by=principal().user))
    db.session.commit()
    return json_response(_answer(voucher))


def post(voucher_id: int):
    voucher = _voucher(voucher_id, "books.post")
    _no_body()
    # committed by run_transaction, run again after a serialization failure or deadlock
    run(lambda: run_transaction(db.session, lambda: post_voucher(db.session, voucher, by=principal().user)))
    return json_response(_answer(voucher))


def reverse(voucher_id: int):
    """Prepare the reversal (红字冲销) of a posted voucher as a new draft."""
    original = _voucher(voucher_id, "books.post")
    header = idempotency_key(required=False)
    body = parse_body(REVERSAL, required=False)
    key = KEY_PREFIX + header if header else None
    # The core's default description quotes the original's; kept within the column's 500.
    description = body["description"] or f"冲销 {original.label}: {original.description}"[:500]
    reversal = run(lambda: reverse_voucher(
        db.session, original, by=principal().user, on=body["date"], description=description, key=key,
    ))
    db.session.commit()
    return _created(_answer(reversal), replayed(db.session, reversal), f"/api/v1/vouchers/{reversal.id}")


def create_allocation(book_id: int):
    """Record money that arrived (拨款) and prepare its voucher as a draft."""
    book = _book(book_id, "books.post")
    key = KEY_PREFIX + idempotency_key()
    body = parse_body(ALLOCATION)
    source = funding_source(db.session, body["source"])
    if source is None:
        raise ApiProblem("validation", errors=[("source", _l("Funding source %(source)s is unknown.",
                                                             source=body["source"]))])
    allocation = run(lambda: record_allocation(
        db.session, book, source, body["amount"], body["arrived_on"], by=principal().user,
        reference=body["reference"], key=key, on=body["date"],
    ))
    db.session.commit()
    return _created(serialize.allocation(allocation), replayed(db.session, allocation.voucher),
                    f"/api/v1/vouchers/{allocation.voucher_id}")

