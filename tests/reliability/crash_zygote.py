"""A long-lived helper that forks a fresh process per operation, for the crash tests.

Starting ``flask --app wsgi`` takes seconds (the application imports everything); a
crash test kills dozens of processes and checks the books after each. So this script
builds the application once and then, for every JSON line on stdin, forks a child that
does one operation (a ``flask`` command, a posting loop, a year-end close) on its own
database connection and exits. It answers ``{"pid": N}`` at once, and
``{"status": S}`` (the exit code, or minus the signal) after the line ``reap``: the
child is not reaped before, so its pid cannot be reused while the test may still kill it.

Run as ``python tests/reliability/crash_zygote.py`` with DATABASE_URL and INSTANCE_PATH set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _post_loop(db, prefix: str, count: int, book_id: int, users: list[str]) -> int:
    """Post ``count`` keyed allocations one transaction each, as a clerk's requests would."""
    from sqlalchemy import select

    from ledger.allocations import record_allocation
    from ledger.books import Book
    from ledger.clerks import Clerks, post_through
    from ledger.dimensions import funding_source
    from ledger.retry import run_transaction
    from ledger.users import User

    session = db.session
    for i in range(count):
        def work():
            staff = Clerks(*(session.scalar(select(User).where(User.username == u)) for u in users))
            allocation = record_allocation(
                session, session.get(Book, book_id), funding_source(session, "district"), f"{i + 1}.00",
                dt.date(2025, 6, 1), by=staff.preparer, key=f"{prefix}{i}")
            post_through(session, allocation.voucher, staff)

        run_transaction(session, work)
    return 0


def _year_end(db, book_id: int, users: list[str]) -> int:
    """The year-end close of one book, committed once, as the background job does it."""
    from sqlalchemy import select

    from ledger.books import Book
    from ledger.clerks import Clerks
    from ledger.retry import run_transaction
    from ledger.users import User
    from ledger.yearend import close_year

    session = db.session

    def work():
        staff = Clerks(*(session.scalar(select(User).where(User.username == u)) for u in users))
        close_year(session, session.get(Book, book_id), staff)

    run_transaction(session, work)
    return 0


def _run(app, command: dict) -> int:
    from app.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)  # never use a connection the parent might hold
        if command["op"] == "flask":
            result = app.test_cli_runner().invoke(args=command["args"])  # the `flask ...` command itself
            sys.stdout.write(result.output)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                import traceback

                traceback.print_exception(result.exception)
            return result.exit_code
        if command["op"] == "post-loop":
            return _post_loop(db, command["prefix"], command["count"], command["book"], command["users"])
        if command["op"] == "year-end":
            return _year_end(db, command["book"], command["users"])
    raise ValueError(f"unknown operation {command['op']!r}")


def _warm(app) -> None:
    """Configure the mappers and compile the verifying queries once, so no child pays for it."""
    from sqlalchemy.orm import configure_mappers

    from app.extensions import db

    configure_mappers()
    with app.app_context():
        app.test_cli_runner().invoke(args=["ledger", "verify"])
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    from app import create_app

    app = create_app()
    _warm(app)
    protocol = sys.stdout
    print(json.dumps({"ready": True}), file=protocol, flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                log = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(log, 1)
                os.dup2(log, 2)
                sys.stdout = os.fdopen(1, "w", buffering=1)
                sys.stderr = os.fdopen(2, "w", buffering=1)
                random.seed()
                code = _run(app, command)
            except BaseException:  # noqa: BLE001 (the child's log tells the test what happened)
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(json.dumps({"pid": pid}), file=protocol, flush=True)
        if sys.stdin.readline().strip() != "reap":
            raise SystemExit("protocol: expected 'reap'")
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"status": code}), file=protocol, flush=True)


if __name__ == "__main__":
    main()
