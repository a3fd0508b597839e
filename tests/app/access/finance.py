"""Routes of the finance area: the books of the street's communities."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ledger.books import Book
from ledger.organisations import by_code
from ledger.posting import post_voucher, prepare_voucher, review_voucher
from ledger.vouchers import LineDraft, OverrideRequest, VoucherDraft

from . import BOOK_READERS, FINANCE, Route

ROUTES = {
    "finance.index": Route("GET", "/finance/", BOOK_READERS),
    "finance.open_book": Route("POST", "/finance/books/open", FINANCE, True,
                               lambda ids: {"organisation": ids["org"], "fiscal_year": "2031"}),
    "finance.book": Route("GET", "/finance/books/{fin_book}", BOOK_READERS, True),
    "finance.allocations": Route("GET", "/finance/books/{fin_book}/allocations", BOOK_READERS, True),
    "finance.close_period": Route("GET", "/finance/books/{fin_book}/close-period", FINANCE, True),
    "finance.year_end": Route("GET", "/finance/books/{fin_book}/year-end", FINANCE, True),
    "finance.new_voucher": Route("GET", "/finance/books/{fin_book}/vouchers/new", FINANCE, True),
    "finance.trial_balance": Route("GET", "/finance/books/{fin_book}/trial-balance", BOOK_READERS, True),
    "finance.ledger": Route("GET", "/finance/books/{fin_book}/ledger?account=8001", BOOK_READERS, True),
    "finance.voucher": Route("GET", "/finance/vouchers/{fin_draft}", BOOK_READERS, True),
    "finance.review_voucher": Route("POST", "/finance/vouchers/{fin_draft}/review", FINANCE, True),
    "finance.post_voucher": Route("POST", "/finance/vouchers/{fin_draft}/post", FINANCE, True),
    "finance.return_voucher": Route("POST", "/finance/vouchers/{fin_draft}/return", FINANCE, True),
    "finance.request_override": Route("POST", "/finance/vouchers/{fin_draft}/override-request", FINANCE, True,
                                      {"reason": "矩阵测试申请"}),
    "finance.discard_voucher": Route("POST", "/finance/vouchers/{fin_draft}/discard", FINANCE, True),
    "finance.reverse_voucher": Route("GET", "/finance/vouchers/{fin_posted}/reverse", FINANCE, True),
    "finance.queue": Route("GET", "/finance/queue", FINANCE),
    "finance.execution": Route("GET", "/finance/execution?org={org}", BOOK_READERS, True),
    "finance.export_job": Route("POST", "/finance/exports", BOOK_READERS, True, lambda ids: {
        "kind": "execution", "organisation": ids["org"], "fiscal_year": "2026", "by": "purpose"}),
    "finance.targets": Route("GET", "/finance/targets?org={org}", BOOK_READERS, True),
    "finance.set_target": Route("POST", "/finance/targets/set?org={org}", FINANCE, True, lambda ids: {
        "organisation": ids["org"], "source": "district", "fiscal_year": "2026", "amount": "400000",
        "reference": "matrix", "reason": "matrix"}),
    "finance.imports": Route("GET", "/finance/imports", FINANCE),
    "finance.verify": Route("GET", "/finance/verify?run=1", BOOK_READERS),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def _clerk(session, username: str):
    from ledger.users import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=username)
        session.add(user)
        session.flush()
    return user


def fixtures(session, scope: str) -> dict:
    """A book of the scope's community, a draft and a posted voucher in it (made once)."""
    from tests.app.test_finance_setup import book_of

    code = COMMUNITY[scope]
    book = session.scalar(select(Book).where(Book.organisation_id == by_code(session, code).id)
                          .order_by(Book.fiscal_year.desc())) or book_of(session, code)
    open_month = next(p.month for p in book.periods if not p.is_closed)
    day = dt.date(book.fiscal_year, open_month, 1)
    lines = (LineDraft("1011", debit="1.00", source="district"), LineDraft("1002", credit="1.00", source="other"))
    a, b, c = (_clerk(session, f"matrix-clerk-{n}") for n in "abc")
    draft = prepare_voucher(session, book, VoucherDraft(day, "矩阵测试草稿", lines, "matrix-draft"), by=a)
    posted = prepare_voucher(session, book, VoucherDraft(day, "矩阵测试凭证", lines, "matrix-posted"), by=a)
    if posted.status == "draft":
        review_voucher(session, posted, by=b)
    if posted.status == "reviewed":
        post_voucher(session, posted, by=c)
    request_ = session.scalar(select(OverrideRequest).where(OverrideRequest.voucher_id == draft.id))
    if request_ is None:  # a request for the street committee to answer (the core does not re-check it)
        request_ = OverrideRequest(voucher=draft, organisation_id=book.organisation_id, reason="矩阵测试申请",
                                   breaches="matrix", asked_by=c)
        session.add(request_)
    session.commit()
    return {"fin_book": book.id, "fin_draft": draft.id, "fin_posted": posted.id, "override_request": request_.id}


def targets(session, scope: str) -> dict:
    return fixtures(session, scope)
