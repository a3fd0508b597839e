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
from sqlalchemy.orm import Session

from .organisations import Organisation


def lock_organisation(session: Session, organisation_id: int) -> Organisation:
    """Lock the organisation whose money is about to move; first lock of every writer."""
    return session.scalars(
        select(Organisation).where(Organisation.id == organisation_id)
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    ).one()


def lock_book(session: Session, book_id: int):
    """Lock a book (after its organisation) so its numbering has one writer at a time."""
    from .books import Book

    return session.scalars(
        select(Book).where(Book.id == book_id)
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    ).one()


def lock_projects(session: Session, project_ids: Iterable[int]) -> list:
    """Lock projects by ascending id (after the organisation and book), re-reading them."""
    from .projects import LedgerProject

    ids = sorted(set(project_ids))
    if not ids:
        return []
    return list(session.scalars(
        select(LedgerProject).where(LedgerProject.id.in_(ids)).order_by(LedgerProject.id)
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    ))
