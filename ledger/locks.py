"""Row locks that serialise the writers of one community's money, in one fixed order.

Every write that reads a budget figure and then relies on it (posting, re-approving or
closing a project) first locks, in this order: the organisation row, the book row, then
project rows by ascending id. One order for everyone means two writers can wait for
each other but never deadlock. PostgreSQL takes ``SELECT ... FOR NO KEY UPDATE`` row
locks: they exclude each other, but not the ``FOR KEY SHARE`` locks that foreign keys take
when a voucher's rows are inserted; a plain ``FOR UPDATE`` would deadlock two clerks who
had each just inserted a voucher of the same community. SQLite has no row locks (the
clause is left out) and serialises writers itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .books import Book
from .organisations import Organisation
from .projects import LedgerProject


def lock_organisation(session: Session, organisation_id: int) -> Organisation:
    """Lock the organisation whose money is about to move; first lock of every writer."""
    return lock_organisations(session, [organisation_id])[0]


def lock_organisations(session: Session, organisation_ids: Iterable[int]) -> list[Organisation]:
    """Lock several organisations by ascending id (a batch's first locks), re-reading them."""
    return _lock(session, Organisation, organisation_ids)


def lock_book(session: Session, book_id: int) -> Book:
    """Lock a book (after its organisation) so its numbering has one writer at a time."""
    return lock_books(session, [book_id])[0]


def lock_books(session: Session, book_ids: Iterable[int]) -> list[Book]:
    """Lock several books by ascending id, after all their organisations."""
    return _lock(session, Book, book_ids)


def lock_projects(session: Session, project_ids: Iterable[int]) -> list[LedgerProject]:
    """Lock projects by ascending id (after the organisation and book), re-reading them."""
    # with their split budgets (ProjectBudgetShare), which budget control reads next
    return _lock(session, LedgerProject, project_ids, selectinload(LedgerProject.shares))


def _lock(session: Session, model, ids: Iterable[int], *options) -> list:
    """Rows of ``model`` locked in ascending id order (PostgreSQL locks them as it reads
    them sorted), and re-read so that the session sees what the lock protects."""
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(session.scalars(
        select(model).where(model.id.in_(ids)).order_by(model.id).options(*options)
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    ))
