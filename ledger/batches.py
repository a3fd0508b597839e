"""Posting many vouchers at once (批量记账): every rule of ``ledger.posting``, set-based.

An import of a year's vouchers, or a city's allocations, posts hundreds of vouchers in one
transaction. Posting them one by one repeats, for every voucher, the locks, the lookups,
the budget sums, the search for the book's last number and three flushes of the ORM.
``post_batch`` does each of these once for the whole batch:

* the organisations, books and projects are locked in the one order of ``ledger/locks.py``
  (all organisations by id, then all books, then all projects), so a batch and a clerk
  posting one voucher wait for each other but never deadlock;
* projects, purposes and funding sources are looked up once per code, the periods and the
  negative lists once per book and city;
* budget control reads the posted figures of every organisation in one grouped query, and
  checks each voucher on top of those and of the batch's vouchers before it, exactly as
  posting them in order would;
* numbers and chained hashes continue each book's chain in memory;
* the rows are written by four statements whatever the size of the batch (vouchers as
  drafts, their lines, then reviewed, then posted), so the database's triggers check every
  voucher's transition, balance, number and link as they do for a single posting.

All or nothing: the first refusal raises ``BatchRefusal`` naming the voucher's place in the
batch and the rule's own error, and nothing has been written. Every function flushes and
never commits, as in ``ledger.posting``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from .base import utcnow
from .books import Book, Period, check_in_year, check_open
from .budget import BudgetExceeded, breaches_against
from .chain import request_digest, voucher_hash
from .clerks import Clerks, post_through
from .dimensions import negative_rules
from .errors import DomainError, N_
from .figures import budget_figures_of
from .locks import lock_books, lock_organisations, lock_projects
from .posting import IdempotencyConflict, SeparationOfDuties, build_line, check_actor, check_key, normalised
from .projects import LedgerProject
from .rules import VoucherError, check_voucher
from .vouchers import DRAFT, POSTED, REVIEWED, Voucher, VoucherDraft, VoucherLine


class BatchRefusal(Exception):
    """A rule refused the voucher at ``index`` of the batch; ``error`` says which and why."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(f"voucher {index + 1} of the batch: {error.message}")
        self.index, self.error = index, error


@dataclass
class _Pending:
    """A voucher of the batch: where it came from, and its transient ORM object."""

    index: int
    voucher: Voucher


def _check_clerks(clerks: Clerks) -> None:
    for user, action in ((clerks.preparer, "prepare"), (clerks.reviewer, "review"), (clerks.poster, "post")):
        check_actor(user, action)
    for user, action in ((clerks.reviewer, "review"), (clerks.poster, "post")):
        if user.id == clerks.preparer.id:
            raise SeparationOfDuties(
                N_("%(user)s prepares the batch and cannot also %(action)s it."),
                field="by", user=user.username, action=action,
            )
    if clerks.poster.id == clerks.reviewer.id:
        raise SeparationOfDuties(
            N_("%(user)s reviews the batch and cannot also post it: a third clerk posts."),
            field="by", user=clerks.poster.username,
        )


def _existing(session: Session, keyed: list[tuple[int, str]]) -> dict[tuple[int, str], Voucher]:
    """Vouchers already made with the batch's request keys, by (book, key)."""
    if not keyed:
        return {}
    return {(v.book_id, v.idempotency_key): v for v in session.scalars(
        select(Voucher).where(tuple_(Voucher.book_id, Voucher.idempotency_key).in_(keyed)))}


def _closed_periods(session: Session, book_ids: list[int]) -> set[tuple[int, int]]:
    """(book, month) of every closed period of the books, read under their locks."""
    return set(session.execute(
        select(Period.book_id, Period.month).where(Period.book_id.in_(book_ids), Period.closed_at.is_not(None))
    ).all())


def _last_links(session: Session, book_ids: list[int]) -> dict[int, tuple[int, str | None]]:
    """Each book's next number and the hash before it (the books are locked)."""
    last = (select(Voucher.book_id, func.max(Voucher.number).label("number"))
            .where(Voucher.book_id.in_(book_ids), Voucher.status == POSTED).group_by(Voucher.book_id).subquery())
    links = {book_id: (1, None) for book_id in book_ids}
    for book_id, number, hash_ in session.execute(
        select(Voucher.book_id, Voucher.number, Voucher.hash)
        .join(last, (last.c.book_id == Voucher.book_id) & (last.c.number == Voucher.number))
    ):
        links[book_id] = (number + 1, hash_)
    return links


def _prefetch_projects(session: Session, drafts: list[tuple[Book, VoucherDraft]], found: dict) -> None:
    """Look the batch's projects up in one query, into the cache ``build_line`` reads."""
    wanted = {(book.organisation_id, line.project) for book, draft in drafts for line in draft.lines if line.project}
    if not wanted:
        return
    for project in session.scalars(
        select(LedgerProject).where(tuple_(LedgerProject.organisation_id, LedgerProject.code).in_(sorted(wanted)))
    ):
        found[LedgerProject, project.code, (("organisation_id", project.organisation_id),)] = project


def post_batch(session: Session, drafts: Sequence[tuple[Book, VoucherDraft]], clerks: Clerks) -> list[int]:
    """Prepare, review and post every ``(book, draft)`` in order, all or nothing.

    Returns the voucher ids in the order of ``drafts``. A draft whose key was used before
    with the same content returns that voucher (posting it if it was left unposted), as
    ``post_draft`` does; the same key with other content is a conflict.
    """
    _check_clerks(clerks)
    if not drafts:
        return []
    books = {book.id: book for book, _ in drafts}
    lock_organisations(session, {book.organisation_id for book in books.values()})
    lock_books(session, books)
    now = utcnow()

    normal: list[tuple[int, Book, VoucherDraft, str]] = []
    ids: list[int | None] = [None] * len(drafts)
    for index, (book, draft) in enumerate(drafts):
        try:
            draft = normalised(draft)
            if not (draft.key or "").strip():
                raise VoucherError(N_("Every voucher of a batch needs a request key."), field="key")
            check_key(draft.key.strip())
            normal.append((index, book, draft._replace(key=draft.key.strip()),
                           request_digest(book.id, draft)))
        except DomainError as error:
            raise BatchRefusal(index, error) from None
    earlier = _existing(session, sorted({(book.id, draft.key) for _, book, draft, _ in normal}))

    found: dict = {}
    _prefetch_projects(session, [(book, draft) for _, book, draft, _ in normal], found)
    closed = _closed_periods(session, sorted(books))
    pending: list[_Pending] = []
    replays: list[tuple[int, Voucher]] = []  # made before with the same key and content
    in_batch: dict[tuple[int, str], tuple[str, int]] = {}
    for index, book, draft, digest in normal:
        try:
            key = (book.id, draft.key)
            if key in earlier or key in in_batch:
                first_digest = earlier[key].request_digest if key in earlier else in_batch[key][0]
                if first_digest != digest:
                    raise IdempotencyConflict(
                        N_("Request key %(key)s was already used in books %(book)s with different content; "
                           "use a new key for a new voucher."), field="key", key=draft.key, book=book.label)
                if key in earlier:
                    replays.append((index, earlier[key]))
                else:  # the same voucher again
                    pending.append(_Pending(index, pending[in_batch[key][1]].voucher))
                continue
            if not draft.description:
                raise VoucherError(N_("A voucher needs a description (摘要)."), field="description")
            check_in_year(book, draft.date)
            check_open(book, draft.date, (book.id, draft.date.month) in closed)
            voucher = Voucher(
                book=book, date=draft.date, period=draft.date.month, description=draft.description,
                idempotency_key=draft.key, request_digest=digest, status=DRAFT,
                prepared_by=clerks.preparer, prepared_at=now, reviewed_by=clerks.reviewer, reviewed_at=now,
                lines=[build_line(session, book, i, line, found) for i, line in enumerate(draft.lines)],
            )
            in_batch[key] = (digest, len(pending))
            pending.append(_Pending(index, voucher))
        except DomainError as error:
            raise BatchRefusal(index, error) from None

    fresh = _unique(pending)
    projects = {line.project.id for p in fresh for line in p.voucher.lines if line.project}
    # re-read under the locks: closed or not, approved amounts
    lock_projects(session, projects | {line.project_id for _, v in replays for line in v.lines if line.project_id})
    for index, voucher in replays:  # an unposted one (an earlier attempt stopped) is posted first
        try:
            ids[index] = post_through(session, voucher, clerks).id
        except DomainError as error:
            raise BatchRefusal(index, error) from None
    negative = {}
    figures = budget_figures_of(
        session, {p.voucher.book.organisation_id for p in fresh}, projects,
        {line.funding_source.id for p in fresh for line in p.voucher.lines if line.funding_source})
    links = _last_links(session, sorted({p.voucher.book.id for p in fresh}))
    for item in fresh:
        voucher, book = item.voucher, item.voucher.book
        try:
            city = book.chart.city_id
            if city not in negative:
                negative[city] = negative_rules(session, city)
            check_voucher(voucher, negative[city])
            breaches = breaches_against(figures[book.organisation_id], voucher)
            if breaches:
                raise BudgetExceeded(breaches)
        except DomainError as error:
            raise BatchRefusal(item.index, error) from None
        figures[book.organisation_id].add(voucher)
        number, previous = links[book.id]
        voucher.number, voucher.previous_hash = number, previous
        voucher.posted_by, voucher.posted_at = clerks.poster, now
        voucher.hash = voucher_hash(voucher, previous)
        links[book.id] = (number + 1, voucher.hash)

    _write(session, fresh, clerks, now)
    for item in pending:
        ids[item.index] = item.voucher.id
    return ids


def _unique(pending: list[_Pending]) -> list[_Pending]:
    """The batch's new vouchers, each once (a repeated key is the same voucher)."""
    seen, unique = set(), []
    for item in pending:
        if id(item.voucher) not in seen:
            seen.add(id(item.voucher))
            unique.append(item)
    return unique


def _write(session: Session, fresh: list[_Pending], clerks: Clerks, now) -> None:
    """Write the new vouchers as the single path does, a statement per step for all:
    inserted as drafts with their lines, reviewed, then posted (the triggers check each)."""
    if not fresh:
        return
    vouchers, lines = Voucher.__table__, VoucherLine.__table__
    created = session.execute(
        insert(vouchers).returning(vouchers.c.id, sort_by_parameter_order=True),
        [dict(book_id=v.book.id, voucher_date=v.date, period=v.period, description=v.description,
              idempotency_key=v.idempotency_key, request_digest=v.request_digest, status=DRAFT,
              reverses_id=None, prepared_by_id=clerks.preparer.id, prepared_at=now)
         for v in (item.voucher for item in fresh)],
    ).scalars().all()
    for item, voucher_id in zip(fresh, created, strict=True):
        item.voucher.id = voucher_id
    session.execute(insert(lines), [
        dict(voucher_id=item.voucher.id, position=line.position, account_id=line.account.id, debit=line.debit,
             credit=line.credit, organisation_id=line.organisation.id,
             project_id=line.project.id if line.project else None,
             purpose_id=line.purpose.id if line.purpose else None,
             funding_source_id=line.funding_source.id if line.funding_source else None, memo=line.memo)
        for item in fresh for line in item.voucher.lines
    ])
    session.execute(
        update(vouchers).where(vouchers.c.id == bindparam("voucher_id"))
        .values(status=REVIEWED, reviewed_by_id=bindparam("reviewer"), reviewed_at=bindparam("at")),
        [dict(voucher_id=item.voucher.id, reviewer=clerks.reviewer.id, at=now) for item in fresh],
    )
    session.execute(
        update(vouchers).where(vouchers.c.id == bindparam("voucher_id"))
        .values(status=POSTED, number=bindparam("new_number"), hash=bindparam("new_hash"),
                previous_hash=bindparam("previous"), posted_by_id=bindparam("poster"), posted_at=bindparam("at")),
        [dict(voucher_id=v.id, new_number=v.number, new_hash=v.hash, previous=v.previous_hash,
              poster=clerks.poster.id, at=now) for v in (item.voucher for item in fresh)],
    )
