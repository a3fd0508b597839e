"""Preparing, reviewing, posting (记账) and reversing (红字冲销) vouchers.

The service a clerk's request, the API and the background jobs all call. Every function
flushes and never commits: the caller commits once. Retrying a request with the same
idempotency key returns the voucher the first attempt made; the same key with different
content is a conflict.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .base import MAX_ENTRY, MoneyError, money, utcnow
from .books import Book, period_for
from .budget import enforce_budget
from .chain import request_digest, voucher_hash
from .dimensions import FundingSource, PurposeCategory, negative_rules
from .errors import TOO_LARGE, N_
from .locks import lock_book, lock_organisation, lock_projects
from .overrides import withdraw_requests
from .projects import LedgerProject
from .rules import LineError, VoucherError, check_voucher
from .users import User
from .vouchers import (
    DESCRIPTION_MAX, DRAFT, POSTED, RESERVED_PREFIXES, REVIEWED, LineDraft, Voucher, VoucherDraft, VoucherLine,
)


class VoucherStateError(VoucherError):
    """An action the voucher's status does not allow (review a posted voucher...)."""


class SeparationOfDuties(VoucherError):
    """The preparer of a voucher trying to review or post it too (不相容职务分离)."""


class IdempotencyConflict(VoucherError):
    """A request key reused for a voucher with different content."""


class AlreadyReversed(VoucherError):
    """A voucher that already has a reversing voucher."""


def check_actor(by: User, action: str) -> None:
    if by is None or not by.is_active:
        raise VoucherError(
            N_("An active user must %(action)s the voucher."), field="by", action=action
        )


def _check_duties(voucher: Voucher, by: User, action: str) -> None:
    """Preparer, reviewer and poster are three people (不相容职务分离)."""
    if by.id == voucher.prepared_by_id:
        raise SeparationOfDuties(
            N_("%(user)s prepared voucher %(voucher)s and cannot also %(action)s it."),
            field="by", user=by.username, voucher=voucher.label, action=action,
        )
    if action == "post" and by.id == voucher.reviewed_by_id:
        raise SeparationOfDuties(
            N_("%(user)s reviewed voucher %(voucher)s and cannot also post it: a third clerk posts."),
            field="by", user=by.username, voucher=voucher.label,
        )


def normalised(draft: VoucherDraft) -> VoucherDraft:
    """The draft with amounts as money, or a refusal naming the line and field."""
    lines = []
    for index, line in enumerate(draft.lines):
        values = {}
        for side in ("debit", "credit"):
            try:
                values[side] = money(getattr(line, side) or 0)
            except MoneyError as error:
                raise LineError(
                    N_("Line %(line)s: %(side)s is not an amount: %(reason)s."),
                    field=f"lines[{index}].{side}", line=index + 1, side=side, reason=str(error),
                ) from None
        for side, value in values.items():
            if abs(value) > MAX_ENTRY:
                raise LineError(TOO_LARGE, field=f"lines[{index}].{side}", amount=value, max=MAX_ENTRY)
        lines.append(line._replace(**values, memo=(line.memo or "").strip()))
    return draft._replace(lines=tuple(lines), description=(draft.description or "").strip())


def _lookup(session: Session, model, field: str, index: int, code: str, found: dict, **where):
    """The row of ``model`` with ``code``; ``found`` remembers the rows of one voucher, whose
    lines repeat the same project, purpose and sources (half the lookups of a payment)."""
    key = (model, code, tuple(sorted(where.items())))
    row = found.get(key)
    if row is None:
        row = found[key] = session.scalar(select(model).filter_by(code=code, **where))
    if row is None:
        raise LineError(
            N_("Line %(line)s: %(dimension)s %(code)r does not exist."),
            field=f"lines[{index}].{field}", line=index + 1, dimension=field, code=code,
        )
    return row


def build_line(session: Session, book: Book, index: int, line: LineDraft, found: dict) -> VoucherLine:
    """Resolve the codes of one draft line against the book's chart and dimensions."""
    account = book.account(line.account)
    if account is None:
        raise LineError(
            N_("Line %(line)s: account %(account)r is not in the chart of books %(book)s."),
            field=f"lines[{index}].account", line=index + 1, account=line.account, book=book.label,
        )
    organisation = book.organisation
    project = _lookup(
        session, LedgerProject, "project", index, line.project, found, organisation_id=organisation.id
    ) if line.project else None
    if line.purpose:
        purpose = _lookup(session, PurposeCategory, "purpose", index, line.purpose, found,
                          city_id=book.chart.city_id)
    else:
        purpose = project.purpose if project else None  # a project's lines share its purpose
    source = _lookup(session, FundingSource, "source", index, line.source, found) if line.source else None
    return VoucherLine(
        position=index + 1, account=account, debit=line.debit, credit=line.credit,
        organisation=organisation, project=project, purpose=purpose, funding_source=source,
        memo=line.memo,
    )


def _city_of_chart(session: Session, book: Book) -> int:
    """The city whose chart the book keeps (a chart never changes city), remembered by the
    session so that posting, which re-reads the book under its lock, need not reload it."""
    known = session.info.setdefault("ledger.chart_city", {})
    if book.chart_id not in known:
        known[book.chart_id] = book.chart.city_id
    return known[book.chart_id]


def _negative_list(session: Session, book: Book):
    return negative_rules(session, _city_of_chart(session, book))


def _by_key(session: Session, book: Book, key: str) -> Voucher | None:
    return session.scalar(
        select(Voucher).where(Voucher.book_id == book.id, Voucher.idempotency_key == key)
    )


#: ``session.info`` entry: ids of the vouchers this session's requests got back as replays.
REPLAYED = "ledger.replayed_vouchers"


def _replay(session: Session, existing: Voucher, digest: str, key: str) -> Voucher:
    """The voucher a retried request made, or a conflict if the request differs."""
    if existing.request_digest != digest:
        raise IdempotencyConflict(
            N_("Request key %(key)s was already used in books %(book)s for voucher %(voucher)s "
               "with different content; use a new key for a new voucher."),
            field="key", key=key, book=existing.book.label, voucher=existing.label,
        )
    session.info.setdefault(REPLAYED, set()).add(existing.id)
    return existing


def replayed(session: Session, voucher: Voucher) -> bool:
    """Whether ``prepare_voucher`` gave ``voucher`` back to this session as a replay of an
    earlier request with its key (made before, or by a parallel copy that won)."""
    return voucher.id in session.info.get(REPLAYED, ())


def check_key(key: str, system: bool = False) -> None:
    """Refuse a key of the year-end close's own namespaces unless ``system`` writes it."""
    if not system and key.startswith(RESERVED_PREFIXES):
        raise VoucherError(
            N_("Request keys starting with %(prefix)s belong to the year-end close and the opening balances; "
               "use another key."), field="key", prefix=next(p for p in RESERVED_PREFIXES if key.startswith(p)))


def prepare_voucher(
    session: Session, book: Book, draft: VoucherDraft, by: User, reverses: Voucher | None = None,
    system: bool = False,
) -> Voucher:
    """Check ``draft`` against every posting rule and save it as a draft voucher (制单).

    Nothing is written when a rule is broken. The same ``draft.key`` with the same
    content returns the voucher made the first time. Only ``system`` writers (the year-end
    close, the opening-balance import) may use the reserved key prefixes.
    """
    check_actor(by, "prepare")
    draft = normalised(draft)
    key = (draft.key or "").strip() or uuid.uuid4().hex
    check_key(key, system)
    digest = request_digest(book.id, draft, reverses.id if reverses else None)
    existing = _by_key(session, book, key)
    if existing is not None:
        return _replay(session, existing, digest, key)
    if not draft.description:
        raise VoucherError(N_("A voucher needs a description (摘要)."), field="description")
    period = period_for(book, draft.date)
    found: dict = {}
    # ``reverses_id``, not the relationship: a refused reversal must leave no trace on the
    # original's ``reversed_by`` in this session.
    voucher = Voucher(
        book=book, date=draft.date, period=period.month, description=draft.description,
        idempotency_key=key, request_digest=digest, status=DRAFT,
        reverses_id=reverses.id if reverses else None, prepared_by=by, prepared_at=utcnow(),
        lines=[build_line(session, book, i, line, found) for i, line in enumerate(draft.lines)],
    )
    check_voucher(voucher, _negative_list(session, book))
    try:
        with session.begin_nested():  # a concurrent request with the same key may win
            session.add(voucher)
            session.flush()
    except IntegrityError:
        existing = _by_key(session, book, key)
        if existing is None:
            raise
        return _replay(session, existing, digest, key)
    return voucher


def review_voucher(session: Session, voucher: Voucher, by: User) -> Voucher:
    """Review (审核) a draft: someone other than its preparer confirms it is right."""
    check_actor(by, "review")
    if voucher.status != DRAFT:
        raise VoucherStateError(
            N_("Voucher %(voucher)s is %(status)s; only a draft can be reviewed."),
            field="status", voucher=voucher.label, status=voucher.status,
        )
    _check_duties(voucher, by, "review")
    period_for(voucher.book, voucher.date)
    check_voucher(voucher, _negative_list(session, voucher.book))
    voucher.status, voucher.reviewed_by, voucher.reviewed_at = REVIEWED, by, utcnow()
    session.flush()
    return voucher


def return_to_draft(session: Session, voucher: Voucher, by: User) -> Voucher:
    """Send a reviewed voucher back to its preparer (退回): to correct, or to discard.

    The way out for a voucher refused at posting, for instance past a budget limit.
    """
    check_actor(by, "return")
    if voucher.status != REVIEWED:
        raise VoucherStateError(
            N_("Voucher %(voucher)s is %(status)s; only a reviewed voucher is returned to draft."),
            field="status", voucher=voucher.label, status=voucher.status,
        )
    voucher.status, voucher.reviewed_by, voucher.reviewed_at = DRAFT, None, None
    withdraw_requests(voucher)
    session.flush()
    return voucher


def _next_link(session: Session, book: Book) -> tuple[int, str | None]:
    """The next number of ``book`` and the hash of the voucher before it (book locked)."""
    last = session.execute(
        select(Voucher.number, Voucher.hash)
        .where(Voucher.book_id == book.id, Voucher.status == POSTED, Voucher.number.is_not(None))
        .order_by(Voucher.number.desc()).limit(1)
    ).first()
    return (last.number + 1, last.hash) if last else (1, None)


def post_voucher(session: Session, voucher: Voucher, by: User) -> Voucher:
    """Post (记账) a reviewed voucher: next number, chained hash, and never again changed.

    The rules and the budget limits are checked again under the locks of
    ``ledger/locks.py``, because figures may have moved since the review; past a limit,
    only with a granted request (``ledger/overrides.py``) from someone other than the
    poster. Posting a voucher that is already posted returns it, so a retried request is
    harmless.
    """
    check_actor(by, "post")
    book = voucher.book
    lock_organisation(session, book.organisation_id)
    lock_book(session, book.id)
    session.refresh(voucher, ["status"])
    if voucher.status == POSTED:
        return voucher
    if voucher.status != REVIEWED:
        raise VoucherStateError(
            N_("Voucher %(voucher)s is %(status)s; it must be reviewed before posting."),
            field="status", voucher=voucher.label, status=voucher.status,
        )
    _check_duties(voucher, by, "post")
    lock_projects(session, [line.project_id for line in voucher.lines if line.project_id])
    period_for(book, voucher.date, fresh=session)
    check_voucher(voucher, _negative_list(session, book))
    enforce_budget(session, voucher, by)
    voucher.number, voucher.previous_hash = _next_link(session, book)
    voucher.posted_by, voucher.posted_at = by, utcnow()
    voucher.hash = voucher_hash(voucher, voucher.previous_hash)
    voucher.status = POSTED
    session.flush()
    return voucher


def reverse_voucher(
    session: Session,
    original: Voucher,
    by: User,
    on: dt.date | None = None,
    description: str | None = None,
    key: str | None = None,
) -> Voucher:
    """Prepare the reversal (红字冲销) of a posted voucher: the same lines, sides swapped.

    The reversal is a draft that is reviewed and posted by the same rules as any voucher.
    A voucher is reversed once; asking again with the same key returns that reversal.
    """
    if original.status != POSTED:
        raise VoucherStateError(
            N_("Voucher %(voucher)s is %(status)s; only a posted voucher is reversed "
               "(a draft is simply changed or discarded)."),
            field="status", voucher=original.label, status=original.status,
        )
    if (original.idempotency_key or "").startswith(RESERVED_PREFIXES):
        raise VoucherStateError(
            N_("Voucher %(voucher)s is part of a year-end close or of the opening balances and is not reversed "
               "on its own."), field="voucher", voucher=original.label,
        )
    key = key or f"reversal-of-{original.id}"
    earlier = session.scalar(select(Voucher).where(Voucher.reverses_id == original.id))
    if earlier is not None and earlier.idempotency_key != key:
        raise AlreadyReversed(
            N_("Voucher %(voucher)s was already reversed by %(reversal)s."),
            field="voucher", voucher=original.label, reversal=earlier.label,
        )
    lines = tuple(
        line.as_draft()._replace(debit=line.credit, credit=line.debit) for line in original.lines
    )
    draft = VoucherDraft(
        date=on or original.date,
        # The default names the original; cut to fit, as the original may be at the limit already.
        description=description or f"冲销 {original.label}: {original.description}"[:DESCRIPTION_MAX],
        lines=lines, key=key,
    )
    return prepare_voucher(session, original.book, draft, by, reverses=original)


def discard_voucher(session: Session, voucher: Voucher, by: User) -> None:
    """Delete a draft that will not be posted (a reviewed or posted voucher stays)."""
    check_actor(by, "discard")
    if voucher.status != DRAFT:
        raise VoucherStateError(
            N_("Voucher %(voucher)s is %(status)s; only a draft can be discarded."),
            field="status", voucher=voucher.label, status=voucher.status,
        )
    session.delete(voucher)
    session.flush()
