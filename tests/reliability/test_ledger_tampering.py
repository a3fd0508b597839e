"""Tampering behind the database's back is found by ``flask ledger verify``, which names the voucher.

That the database refuses UPDATE and DELETE of posted vouchers and lines (and lines added
to them, vouchers inserted as posted, forged numbering) on SQLite and PostgreSQL is
proved by ``tests/ledger/test_immutability.py``; ``verify`` finding a change made with
``session_replication_role = replica`` by ``tests/ledger/test_allocations_and_verify.py``.
Here a superuser switches the triggers off (``ALTER TABLE ... DISABLE TRIGGER ALL`` on
PostgreSQL, ``DROP TRIGGER`` on SQLite, as anyone with the file can), changes an amount,
deletes a line and alters a description, and the operator's command, run as its own
process, exits non-zero and names exactly the three changed vouchers.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.triggers import drop_triggers
from ledger.verify import verify
from tests.ledger.conftest import build_world
from tests.reliability.ledger_support import flask, report

TAMPERING = {
    2: "UPDATE voucher_lines SET debit = debit + 0.01 WHERE position = 1 AND voucher_id = :id",
    3: "DELETE FROM voucher_lines WHERE position = 4 AND voucher_id = :id",
    4: "UPDATE vouchers SET description = description || '（已更正）' WHERE id = :id",
}


def _switch_triggers_off(connection) -> None:
    if connection.dialect.name == "postgresql":
        for table in ("vouchers", "voucher_lines"):
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))  # superuser only
    else:
        drop_triggers(connection)


@pytest.fixture
def triggers_restored(database):
    """On PostgreSQL the test database is shared by the run: switch the triggers on again."""
    yield
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as connection:
            for table in ("vouchers", "voucher_lines"):
                connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER ALL"))


def test_verify_names_every_voucher_changed_with_the_triggers_switched_off(database, triggers_restored, tmp_path):
    with Session(database.engine) as session:
        world = build_world(session)
        ids = {n: world.allocate(f"{n}000.00").voucher.id for n in range(1, 6)}
        session.commit()
        assert verify(session) == []
    with database.engine.begin() as connection:  # the triggers are on: refused
        with pytest.raises(IntegrityError, match="ledger: "):
            connection.execute(text(TAMPERING[4]), {"id": ids[4]})

    with database.engine.begin() as connection:
        _switch_triggers_off(connection)
        for number, sql in TAMPERING.items():
            assert connection.execute(text(sql), {"id": ids[number]}).rowcount == 1

    result = flask(["ledger", "verify"], database.url, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    named = set(re.findall(r"Q1/2025 #(\d+): ", result.stderr))
    assert named == {"2", "3", "4"}, result.stderr  # the changed ones, and no other
    if database.engine.dialect.name == "postgresql":
        assert "Q1/2025 #2: financial basis does not balance" in result.stderr
    else:  # kept in whole fen: the added 0.01 is a fraction of a fen there
        assert "Q1/2025 #2: line 1 holds an amount that is not a whole number of fen" in result.stderr
    assert "Q1/2025 #3: hash does not match its content" in result.stderr
    assert "Q1/2025 #3: budget basis does not balance" in result.stderr
    assert "Q1/2025 #4: hash does not match its content" in result.stderr
    # the running totals budget control reads no longer match the changed lines either
    assert "Q1/2025: budget totals (" in result.stderr
    report("tampering", database=database.engine.dialect.name, changed=len(TAMPERING),
           named=",".join(f"#{n}" for n in sorted(named, key=int)), verify_exit=result.returncode)
