"""Rows a form or a request makes once: a submission sent again gives back the first row.

A caller that can tell one submission from another (the page's form token and what it
holds, an API's Idempotency-Key) passes a ``key``; the row keeps it in ``submission_key``,
unique within its scope (a community's needs, a notice's objections). Sent again, by the
back button or by two copies at once, the same key finds the row the first made, and
``replayed`` says so, so the page can say "already received" instead of saving it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")

#: ``session.info`` entry: (table, id) of the rows this session got back as replays.
REPLAYED = "workflows.replayed_rows"
#: The longest key kept (a hex digest).
KEY_MAX = 64


def create_once(session: Session, model: type[T], key: str | None, scope: dict, make: Callable[[], T]) -> T:
    """The row of ``model`` that ``key`` made within ``scope``, or ``make()`` added (flushed)."""
    if not key:
        row = make()
        session.add(row)
        session.flush()
        return row
    key = key[:KEY_MAX]
    earlier = _earlier(session, model, key, scope)
    if earlier is not None:
        return _replayed(session, earlier)
    row = make()
    row.submission_key = key
    try:
        with session.begin_nested():  # a parallel copy of the same submission may win
            session.add(row)
            session.flush()
    except IntegrityError:
        earlier = _earlier(session, model, key, scope)
        if earlier is None:
            raise
        return _replayed(session, earlier)
    return row


def replayed(session: Session, row) -> bool:
    """Whether ``create_once`` gave ``row`` back to this session as a replay."""
    return (row.__tablename__, row.id) in session.info.get(REPLAYED, ())


def _earlier(session: Session, model, key: str, scope: dict):
    return session.scalar(select(model).filter_by(submission_key=key, **scope))


def _replayed(session: Session, row):
    session.info.setdefault(REPLAYED, set()).add((row.__tablename__, row.id))
    return row
