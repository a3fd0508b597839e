"""Processes killed with SIGKILL during an import, a posting loop and a year-end close.

Each operation runs in its own process (forked by ``crash_zygote.py`` from an application
built once, so a kill costs milliseconds, not the seconds of a ``flask`` start) and is
killed at a random moment of its run. After every kill: the operation is wholly done or
wholly absent (an import's vouchers are all there or none; a posting loop's vouchers are
posted ones, a prefix of its keys; a year is closed with all its vouchers and next year's
book, or not at all), no voucher is left half-made, and ``flask ledger verify`` exits 0.
Restarting an operation (the same file, the same keys) completes it exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.books import Book, Period
from ledger.vouchers import POSTED, Voucher
from tests.conftest import ON_POSTGRES
from tests.reliability.ledger_support import ROOT, build_books, cli_env, flask, report

pytestmark = pytest.mark.concurrent  # processes or connections of its own (tests/conftest.py)

#: Kills that must land during each operation: 50 in all on PostgreSQL, a smaller round on SQLite.
KILLS = {"import": 18, "post-loop": 18, "year-end": 14} if ON_POSTGRES else {"import": 4, "post-loop": 4, "year-end": 4}
IMPORT_VOUCHERS, LOOP_VOUCHERS = 8, 8
USERS = ["clerk", "reviewer", "poster"]


class Zygote:
    """The forking helper: ``run`` an operation in a fresh process, SIGKILLed or left to finish."""

    def __init__(self, url: str, instance: Path):
        self.logs = instance / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.stderr = open(self.logs / "zygote.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("crash_zygote.py"))], cwd=ROOT,
            env=cli_env(url, instance), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True, bufsize=1,
        )
        assert self._answer() == {"ready": True}, (self.logs / "zygote.log").read_text()
        self.runs = 0

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"the zygote died: {(self.logs / 'zygote.log').read_text()[-3000:]}"
        return json.loads(line)

    def run(self, command: dict, kill_after: float | None = None) -> tuple[int, str]:
        """Run ``command`` in a fresh process, SIGKILLed after ``kill_after`` seconds; (status, log)."""
        self.runs += 1
        log = self.logs / f"{self.runs}.log"
        self.process.stdin.write(json.dumps({**command, "log": str(log)}) + "\n")
        pid = self._answer()["pid"]
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(pid, signal.SIGKILL)  # a zombie until reaped, so never another process
        self.process.stdin.write("reap\n")
        return self._answer()["status"], log.read_text() if log.exists() else ""

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.stderr.close()


def _import_file(folder: Path, round_: int) -> Path:
    rows = ["organisation,voucher,date,description,account,debit,credit,source"]
    for n in range(IMPORT_VOUCHERS):
        amount = f"{round_ * 100 + n + 1}.00"
        ref, day = f"R{round_}-{n}", f"2025-04-{1 + n % 28:02d}"
        rows += [f"Q2,{ref},{day},历史拨款 {ref},1011,{amount},,district",
                 f"Q2,{ref},{day},历史拨款 {ref},4001,,{amount},district",
                 f"Q2,{ref},{day},历史拨款 {ref},8001,{amount},,district",
                 f"Q2,{ref},{day},历史拨款 {ref},6001,,{amount},district"]
    path = folder / f"import-{round_}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _keys(session: Session, prefix: str) -> list[str]:
    return list(session.scalars(select(Voucher.idempotency_key).where(
        Voucher.idempotency_key.startswith(prefix, autoescape=True), Voucher.status == POSTED)))


def _year_state(session: Session, book_id: int, community_id: int) -> str:
    """'closed' (December closed, closing vouchers, next year's book with its opening) or 'open'."""
    closed_periods = session.scalar(select(func.count(Period.id)).where(
        Period.book_id == book_id, Period.closed_at.is_not(None)))
    closing = session.scalar(select(func.count(Voucher.id)).where(
        Voucher.book_id == book_id, Voucher.idempotency_key.startswith("closing:", autoescape=True)))
    next_book = session.scalar(select(Book).where(Book.organisation_id == community_id, Book.fiscal_year == 2026))
    opening = next_book and session.scalar(select(func.count(Voucher.id)).where(
        Voucher.book_id == next_book.id, Voucher.status == POSTED))
    if closed_periods == 12 and closing >= 2 and opening == 1:
        return "closed"
    assert (closed_periods, closing, next_book) == (0, 0, None), "a year-end close was left half done"
    return "open"


@pytest.fixture
def books(database):
    """Q1 for the posting loop, Q2 for imports, the other communities for year-end closes."""
    communities = 2 + KILLS["year-end"] + 12  # a close that finished before its kill uses a book up
    with Session(database.engine) as session:
        ids = build_books(session, communities)
        world = ids.pop("world")
        for code, book_id in list(ids["books"].items())[2:]:
            book = session.get(Book, book_id)
            world.allocate("20000", book=book)
            project = world.project(f"P-{code}", "3000", community=book.organisation)
            world.spend(project, "1200", book=book)
        ids["communities"] = {code: session.get(Book, b).organisation_id for code, b in ids["books"].items()}
        session.commit()
    database.engine.dispose()
    return ids


def test_killed_imports_postings_and_year_end_closes_leave_whole_operations(database, books, tmp_path):
    zygote = Zygote(database.url, tmp_path / "instance")
    seen, durations = Counter(), {}
    began = time.monotonic()

    def verified() -> None:
        start = time.monotonic()
        status, log = zygote.run({"op": "flask", "args": ["ledger", "verify"]})
        assert status == 0 and "every book verified" in log, log
        seen["verify runs"] += 1
        durations["verify"] = max(durations.get("verify", 0), time.monotonic() - start)

    def timed(op: str, command: dict) -> None:
        """A first, unkilled run: the operation works, and its duration sets the kill times."""
        start = time.monotonic()
        status, log = zygote.run(command)
        durations[op] = time.monotonic() - start
        assert status == 0, log

    def kills(op: str, command, check) -> None:
        """Start ``command()`` and kill it at a random moment until KILLS[op] kills landed mid-run."""
        for _ in range(4 * KILLS[op]):
            if seen[f"{op} killed"] >= KILLS[op]:
                return
            status, log = zygote.run(command(), kill_after=random.uniform(0.0, 0.9 * durations[op]))
            assert status in (0, -signal.SIGKILL), log
            killed = status == -signal.SIGKILL
            seen[f"{op} {'killed' if killed else 'finished'}"] += 1
            if not killed:  # warmed up, the operation runs faster than its first run: aim earlier
                durations[op] *= 0.8
            with Session(database.engine) as session:
                check(session)
                assert session.scalar(select(func.count(Voucher.id)).where(Voucher.status != POSTED)) == 0
            verified()
        raise AssertionError(f"{op}: only {seen[op + ' killed']} kills landed during the operation")

    try:
        # 1. flask ledger import, killed: none of the file's vouchers, or all of them.
        import_args = ["ledger", "import", "--kind", "vouchers", "--preparer", "clerk", "--reviewer", "reviewer",
                       "--poster", "poster"]
        timed("import", {"op": "flask", "args": [*import_args, str(_import_file(tmp_path, 0))]})
        imports = [1]

        def import_done(session: Session) -> None:
            count = len(_keys(session, f"import:voucher:Q2:R{imports[0]}-"))
            assert count in (0, IMPORT_VOUCHERS), f"import {imports[0]} left {count} of its vouchers"
            imports[0] += count == IMPORT_VOUCHERS

        kills("import", lambda: {"op": "flask", "args": [*import_args, str(_import_file(tmp_path, imports[0]))]},
              import_done)
        status, log = zygote.run({"op": "flask", "args": [*import_args, str(_import_file(tmp_path, imports[0]))]})
        assert status == 0, log  # the interrupted file imports whole when run again

        # 2. A posting loop, killed: what is there is posted, a prefix of its keys; a restart finishes it.
        loop = {"op": "post-loop", "count": LOOP_VOUCHERS, "book": books["books"]["Q1"], "users": USERS}
        timed("post-loop", {**loop, "prefix": "loop-0-"})
        loops = [1]

        def loop_prefix(session: Session) -> None:
            keys = _keys(session, f"loop-{loops[0]}-")
            assert sorted(keys) == sorted(f"loop-{loops[0]}-{i}" for i in range(len(keys))), keys
            loops[0] += len(keys) == LOOP_VOUCHERS

        kills("post-loop", lambda: {**loop, "prefix": f"loop-{loops[0]}-"}, loop_prefix)
        status, log = zygote.run({**loop, "prefix": f"loop-{loops[0]}-"})
        assert status == 0, log  # the restarted loop re-sends its keys: each voucher once

        # 3. The year-end close, killed: the year closed with all its vouchers, or untouched.
        to_close = list(books["books"])[2:]
        timed("year-end", {"op": "year-end", "book": books["books"][to_close.pop(0)], "users": USERS})

        def year_whole(session: Session) -> None:
            code = to_close[0]
            if _year_state(session, books["books"][code], books["communities"][code]) == "closed":
                to_close.pop(0)

        def next_close() -> dict:
            assert to_close, "every year is closed already: the test needs more communities"
            return {"op": "year-end", "book": books["books"][to_close[0]], "users": USERS}

        kills("year-end", next_close, year_whole)
    finally:
        zygote.close()

    with Session(database.engine) as session:
        for n in range(imports[0] + 1):
            assert len(_keys(session, f"import:voucher:Q2:R{n}-")) == IMPORT_VOUCHERS
        for n in range(loops[0] + 1):
            assert len(_keys(session, f"loop-{n}-")) == LOOP_VOUCHERS
    real = flask(["ledger", "verify"], database.url, tmp_path / "instance")  # the operator's own command
    assert real.returncode == 0, real.stderr
    report("crashes", database="postgresql" if ON_POSTGRES else "sqlite",
           kills=sum(v for k, v in seen.items() if k.endswith("killed")), processes=zygote.runs,
           seconds=round(time.monotonic() - began, 1),
           **{k.replace(" ", "_").replace("-", "_"): v for k, v in sorted(seen.items())},
           **{f"{k.replace('-', '_')}_seconds": round(v, 2) for k, v in durations.items()})
