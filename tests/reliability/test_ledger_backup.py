"""Backup and restore with pg_dump / pg_restore (the procedure of docs/RELIABILITY.md).

Books are built (allocations, payments, a year closed and the next one opened), dumped
with ``pg_dump -Fc``, restored with ``pg_restore`` into a new database, and there
``flask ledger verify`` passes, the trial balance is the same figure for figure, and the
immutability triggers are back: an UPDATE of a posted voucher is refused.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.books import Book
from ledger.clerks import Clerks
from ledger.vouchers import Voucher
from ledger.yearend import close_year
from tests.reliability.ledger_support import build_books, flask, report, scratch_database, trial_balance

pytestmark = pytest.mark.postgres


def libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _build(session: Session) -> None:
    ids = build_books(session, 4)
    world = ids["world"]
    for code, book_id in ids["books"].items():
        book = session.get(Book, book_id)
        world.allocate("50000", book=book)
        world.allocate("8000", source="city", book=book)
        project = world.project(f"P-{code}", "12000", community=book.organisation)
        world.spend(project, "4321.09", book=book)
        world.spend(project, "1000", source="city", book=book)
    close_year(session, session.get(Book, ids["books"]["Q4"]), Clerks(world.clerk, world.reviewer, world.poster))


@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="needs pg_dump and pg_restore")
def test_a_restored_dump_verifies_with_the_same_trial_balance_and_its_triggers(database, tmp_path):
    with Session(database.engine) as session:
        _build(session)
        session.commit()
        before, vouchers = trial_balance(session), session.scalar(select(func.count(Voucher.id)))
    dump = tmp_path / "funds.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq(database.url)], check=True)

    with scratch_database("restore") as url:
        subprocess.run(["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={libpq(url)}", str(dump)],
                       check=True)
        result = flask(["ledger", "verify"], url, tmp_path / "instance")
        assert result.returncode == 0 and "every book verified" in result.stdout, result.stderr
        engine = create_engine(url)
        try:
            with Session(engine) as session:
                assert trial_balance(session) == before
                assert session.scalar(select(func.count(Voucher.id))) == vouchers
                books = session.scalar(select(func.count(Book.id)))
            with engine.begin() as connection, pytest.raises(IntegrityError, match="ledger: posted voucher"):
                connection.execute(text("UPDATE vouchers SET description = 'changed' WHERE number = 1"))
        finally:
            engine.dispose()
    report("backup", books=books, vouchers=vouchers, trial_balance_rows=len(before), dump_bytes=dump.stat().st_size)
