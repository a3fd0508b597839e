"""Serialization failures and deadlocks are run again, a bounded number of times (ledger/retry.py)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ledger.organisations import Organisation
from ledger.retry import ATTEMPTS, run_transaction, transient_reason
from tests.reliability.ledger_support import build_books, report

pytestmark = pytest.mark.concurrent  # processes or connections of its own (tests/conftest.py)


def _fail_with(session: Session, sqlstate: str) -> None:
    """Have PostgreSQL itself abort the transaction with ``sqlstate``, as a lost race does."""
    session.execute(text(f"DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '{sqlstate}'; END $$"))


@pytest.mark.postgres
@pytest.mark.parametrize("sqlstate, reason", [("40001", "serialization failure"), ("40P01", "deadlock detected")])
def test_a_transient_failure_is_run_again_and_the_work_committed_once(session, sqlstate, reason):
    ids = build_books(session, 1)
    session.commit()
    runs, retries = [], []

    def work():
        runs.append(1)
        session.get(Organisation, ids["world"].community.id).name = f"改名{len(runs)}"
        session.flush()
        if len(runs) < 3:
            _fail_with(session, sqlstate)
        return len(runs)

    assert run_transaction(session, work, on_retry=lambda attempt, why: retries.append((attempt, why))) == 3
    assert retries == [(1, reason), (2, reason)]
    session.expire_all()
    assert session.scalar(select(Organisation.name).where(Organisation.code == "Q1")) == "改名3"


@pytest.mark.postgres
def test_a_failure_that_persists_is_raised_after_the_bound(session):
    build_books(session, 1)
    session.commit()
    runs = []

    def work():
        runs.append(1)
        session.execute(text("UPDATE organisations SET name = name || '!' WHERE code = 'Q1'"))
        _fail_with(session, "40P01")

    with pytest.raises(OperationalError) as raised:
        run_transaction(session, work)
    assert raised.value.orig.sqlstate == "40P01" and len(runs) == ATTEMPTS
    assert session.scalar(select(Organisation.name).where(Organisation.code == "Q1")) == "春华一社区"


@pytest.mark.postgres
def test_a_real_deadlock_between_two_writers_is_resolved_by_running_the_victim_again(database, session):
    ids = build_books(session, 2)
    session.commit()
    first, second = ids["world"].community.id, ids["world"].neighbour.id
    engine = create_engine(database.url, pool_size=2)
    barrier, retries, errors = threading.Barrier(2, timeout=30), [], []

    def writer(order: tuple[int, int], tag: str) -> None:
        attempts = []
        try:
            with Session(engine) as own:
                def work():
                    attempts.append(1)
                    for n, org_id in enumerate(order):
                        own.execute(select(Organisation).where(Organisation.id == org_id).with_for_update())
                        if n == 0 and len(attempts) == 1:
                            barrier.wait()  # both hold their first row: each now waits for the other's
                    own.get(Organisation, order[0]).name += tag
                run_transaction(own, work, on_retry=lambda attempt, why: retries.append(why))
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            errors.append(error)

    threads = [threading.Thread(target=writer, args=((first, second), "甲")),
               threading.Thread(target=writer, args=((second, first), "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    engine.dispose()
    assert not errors, errors
    assert retries == ["deadlock detected"]  # PostgreSQL chose one victim; it ran again
    names = dict(session.execute(select(Organisation.code, Organisation.name)
                                 .where(Organisation.code.in_(["Q1", "Q2"]))).all())
    assert names == {"Q1": "春华一社区甲", "Q2": "春华二社区乙"}  # both writers' work, once each
    report("retry", real_deadlocks_retried=len(retries))


def test_other_errors_are_raised_at_once(session):
    ids = build_books(session, 1)
    session.commit()
    runs = []

    def work():
        runs.append(1)
        session.execute(text("INSERT INTO organisations (code, name, level, path) "
                             "SELECT code, name, level, path FROM organisations WHERE id = :id"),
                        {"id": ids["world"].community.id})

    with pytest.raises(IntegrityError):
        run_transaction(session, work)
    assert runs == [1]


def test_sqlite_busy_counts_as_transient_and_a_constraint_does_not():
    locked = OperationalError("UPDATE ...", {}, sqlite3.OperationalError("database is locked"))
    unique = IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert transient_reason(locked) == "database is locked"
    assert transient_reason(unique) is None
