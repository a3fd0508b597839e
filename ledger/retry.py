"""Running a transaction again when the database gave up on it for a passing reason.

PostgreSQL may abort a transaction that did nothing wrong: a serialization failure
(SQLSTATE 40001) or a deadlock it broke by choosing this transaction as the victim
(40P01). SQLite reports a writer that waited past ``busy_timeout`` as "database is
locked". Such a transaction was rolled back whole, so running it again from the start is
safe; the cores' idempotency keys make it safe even when the first run's outcome is
unknown. The number of attempts is bounded: a failure that persists is raised to the
caller, never hidden. Any other error is raised at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

T = TypeVar("T")

#: PostgreSQL's codes for "this transaction lost a race; run it again".
TRANSIENT_SQLSTATES = {"40001": "serialization failure", "40P01": "deadlock detected"}
#: Attempts in all (the first and three retries), then the failure is raised.
ATTEMPTS = 4
#: The first pause between attempts, in seconds; it doubles each time, with jitter.
BACKOFF = 0.02

log = logging.getLogger(__name__)


def transient_reason(error: BaseException) -> str | None:
    """Why ``error`` is worth a retry ("deadlock detected"...), or ``None`` if it is not."""
    if not isinstance(error, DBAPIError) or error.connection_invalidated:
        return None
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return TRANSIENT_SQLSTATES[sqlstate]
    if type(original).__module__.startswith("sqlite3") and "database is locked" in str(original):
        return "database is locked"
    return None


def run_transaction(
    session: Session,
    work: Callable[[], T],
    attempts: int = ATTEMPTS,
    on_retry: Callable[[int, str], None] | None = None,
) -> T:
    """Run ``work()`` and commit; on a transient failure roll back and run it again.

    ``work`` must do the whole transaction (load what it needs, write, flush): after a
    rollback every object of ``session`` is expired and re-read. At most ``attempts``
    runs; the last failure is raised. ``on_retry(attempt, reason)`` is told of each retry.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    attempt = 0
    while True:
        attempt += 1
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            reason = transient_reason(error)
            if reason is None or attempt == attempts:
                raise
            log.warning("transaction attempt %s of %s failed (%s); running it again", attempt, attempts, reason)
            if on_retry is not None:
                on_retry(attempt, reason)
            time.sleep(random.uniform(0, BACKOFF * 2 ** (attempt - 1)))
