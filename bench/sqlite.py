"""The same measurements on SQLite, the embedded default database (one street office).

``bench/run --only sqlite`` (and a full run) generates the city of the run's scale into a
fresh SQLite file in the run's folder, every voucher through the project's imports (COPY,
``bench/bulk.py``, is PostgreSQL's; ``city`` and ``full`` would take too long that way, so
they use the ``small`` plan and say so in the names), and measures on it, each against a
reference in the same run:

* posting through the service, one voucher per transaction, one client (SQLite has one
  writer), against the same rows written by raw INSERT (the ``sqlite3`` module, no ORM) one
  voucher per transaction and all in one transaction;
* the batched import against raw INSERT of the same rows in one transaction;
* the city's trial balance and execution against the hand-written GROUP BY, checked to
  agree to the fen.

The raw INSERTs write into bare copies of ``vouchers`` and ``voucher_lines``: the same
``CREATE TABLE`` (columns, checks, unique keys) and indexes, no triggers, foreign keys not
enforced (a plain ``sqlite3`` connection leaves them off). SQLite keeps money as integer
fen (``ledger.base.Money``), so the reference writes the amounts as the service does.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import statistics
import time
from contextlib import closing
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from ledger.base import Base
from ledger.db import make_engine
from ledger.organisations import by_code

from . import figures as figures_module
from .bulk import LINE_COLUMNS, VOUCHER_COLUMNS
from .generate import SCALES, load, plan_city
from .posting import SHADOW, shadow_rows, batch_payments, import_throughput, service_throughput, templates_of, \
    unique_rows
from .measuring import Run, log, timed

#: Scales generated as they are on SQLite; the larger ones use this plan instead.
LARGEST = "small"


def _value(value):
    """A row value as the service stores it on SQLite: money in integer fen, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value * 100)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sqlite_rows(rows: list[tuple]) -> list[tuple]:
    return [tuple(_value(v) for v in row) for row in rows]


def _connect(path: Path) -> sqlite3.Connection:
    """A bare ``sqlite3`` connection (autocommit: transactions are explicit), settings as ``ledger.db``."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 10000")
    return connection


def _create_shadows(connection: sqlite3.Connection) -> None:
    """``SHADOW``: the tables' own ``CREATE TABLE`` and ``CREATE INDEX`` under other names."""
    for shadow, table in zip(SHADOW, ("vouchers", "voucher_lines")):
        connection.execute(f"DROP TABLE IF EXISTS {shadow}")
        for (sql,) in connection.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                                         "AND type IN ('table', 'index') ORDER BY type = 'index'", (table,)):
            sql = re.sub(rf"^CREATE TABLE {table} \(", f"CREATE TABLE {shadow} (", sql)
            sql = re.sub(rf"^CREATE (UNIQUE )?INDEX (\w+) ON {table} ", rf"CREATE \1INDEX {shadow}_\2 ON {shadow} ", sql)
            connection.execute(sql)


def _insert(connection: sqlite3.Connection, voucher_rows, line_rows) -> None:
    connection.executemany(f"INSERT INTO {SHADOW[0]} ({', '.join(VOUCHER_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(VOUCHER_COLUMNS))})", voucher_rows)
    connection.executemany(f"INSERT INTO {SHADOW[1]} ({', '.join(LINE_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(LINE_COLUMNS))})", line_rows)


def raw_inserts(path: Path, session: Session, vouchers, seconds: float, repeat: int = 3) -> dict[str, float]:
    """Vouchers per second of the rows of ``vouchers`` written by raw INSERT into the bare copies:
    ``insert``, all in one transaction (median of ``repeat``); ``per_transaction``, one voucher
    (its row and its lines) per transaction for ``seconds``, cycling through them."""
    voucher_rows, line_rows = shadow_rows(session, vouchers)
    voucher_rows, line_rows = _sqlite_rows(voucher_rows), _sqlite_rows(line_rows)
    templates, width = templates_of(voucher_rows, line_rows)
    with closing(_connect(path)) as connection:
        _create_shadows(connection)
        try:
            timings = []
            for _ in range(repeat):
                connection.execute(f"DELETE FROM {SHADOW[1]}")
                connection.execute(f"DELETE FROM {SHADOW[0]}")
                started = time.perf_counter()
                connection.execute("BEGIN")
                _insert(connection, voucher_rows, line_rows)
                connection.execute("COMMIT")
                timings.append(time.perf_counter() - started)
            connection.execute(f"DELETE FROM {SHADOW[1]}")
            connection.execute(f"DELETE FROM {SHADOW[0]}")
            started, n = time.perf_counter(), 0
            while time.perf_counter() - started < seconds:
                row, rows = unique_rows(templates, width, 0, n)
                connection.execute("BEGIN")
                _insert(connection, [row], rows)
                connection.execute("COMMIT")
                n += 1
            elapsed = time.perf_counter() - started
        finally:
            connection.execute(f"DROP TABLE IF EXISTS {SHADOW[1]}")
            connection.execute(f"DROP TABLE IF EXISTS {SHADOW[0]}")
    return {"insert": len(vouchers) / statistics.median(timings), "per_transaction": n / elapsed}


def measure(run: Run, folder: Path, seed: int, seconds: float, batch: int, keep: bool = False) -> None:
    """Generate the run's city (at most ``LARGEST``) into a SQLite file in ``folder`` and measure on it;
    the file is removed afterwards unless ``keep`` (as the PostgreSQL database is dropped)."""
    plan_name = run.scale if list(SCALES).index(run.scale) <= list(SCALES).index(LARGEST) else LARGEST
    tag = "" if plan_name == run.scale else f" ({plan_name} plan)"
    note = "" if plan_name == run.scale else f"; the {plan_name} plan, {run.scale} would take too long on SQLite"
    scale = SCALES[plan_name]
    path = folder / "bench.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            plan = plan_city(scale, seed)
            log(f"SQLite {path}: generating {len(plan.vouchers) + len(plan.allocations)} vouchers{tag}")
            loaded = load(session, plan, log=log)
            run.add(f"sqlite: generation: import path (allocations and vouchers){tag}", loaded["imported"] /
                    (loaded["allocations_s"] + loaded["vouchers_s"]), None, "vouchers/s",
                    f"{loaded['imported']:,} vouchers imported, all of them{note}")
            year = scale.year_list[-1]
            communities = plan.communities()
            session.close()
            engine.dispose()  # the client process opens its own connection
            log(f"SQLite: posting through the service, 1 client, {seconds} s")
            service = service_throughput(url, communities, year, 1, seconds)
            log(f"SQLite: raw INSERT, one transaction and one voucher per transaction, {seconds} s")
            label = f"sqlite{int(time.time()) % 10**6}"
            raw = raw_inserts(path, session, batch_payments(communities, year, batch, label + "raw"), seconds)
            log(f"SQLite: batched import of {batch} vouchers")
            imported = import_throughput(session, batch_payments(communities, year, batch, label))
            run.add(f"sqlite: posting: service, 1 client{tag}", service["per_second"], raw["per_transaction"],
                    "vouchers/s", f"raw INSERT, one voucher per transaction, 1 client{note}")
            run.add(f"sqlite: posting: service, 1 client{tag}", service["per_second"], raw["insert"], "vouchers/s",
                    f"raw INSERT of the same rows in one transaction{note}")
            run.add(f"sqlite: posting: CPU per voucher, 1 client{tag}", service["client_cpu_ms"], None, "ms",
                    f"the one process, SQLite included{note}")
            run.add(f"sqlite: posting: raw INSERT, one voucher per transaction, 1 client{tag}",
                    raw["per_transaction"], raw["insert"], "vouchers/s", f"raw INSERT in one transaction{note}")
            run.add(f"sqlite: posting: batched import{tag}", imported, raw["insert"], "vouchers/s",
                    f"raw INSERT of the same rows in one transaction{note}")
            city = by_code(session, plan.city)
            log("SQLite: figures for the city")
            compared = figures_module.compare(session, city, year, folder, peers=False)  # fails loudly
            ours_s, _ = timed(lambda: figures_module.ours(session, city, year))
            categories = figures_module.account_categories(session)
            sql_s, _ = timed(lambda: figures_module.raw_sql(session, city, year, categories))
            run.add(f"sqlite: report: trial balance + execution, city{tag}", 1000 * ours_s, 1000 * sql_s, "ms",
                    f"hand-written SQL GROUP BY{note}")
            run.add(f"sqlite: report: figures agree to the fen, city{tag}", len(compared), len(compared), "tools",
                    "+".join(compared))
    finally:
        engine.dispose()
        if not keep:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
