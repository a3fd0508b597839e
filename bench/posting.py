"""Posting throughput: the ledger service from 1, 4 and 16 clients, a batched import, and the
same rows written by raw INSERT and by COPY (the physical limit).

Every voucher is a project payment (four lines, both bases) in a community's last-year
books, against the project ``P-BENCH`` the generator left open: prepared, reviewed and
posted by three different clerks with every rule on (balance per basis, numbering and
hash chain under the book's lock, budget control under the project's lock, negative
list, idempotency key), one commit per voucher, as a clerk's request does. Each client
is a process of its own (the GIL would otherwise be measured) with its own connection;
clients start together and post for a fixed time.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledger.books import Book
from ledger.clerks import Clerks
from ledger.db import make_engine
from ledger.imports import import_vouchers
from ledger.organisations import Organisation
from ledger.posting import post_voucher, prepare_voucher, review_voucher
from ledger.users import User
from ledger.vouchers import LineDraft, VoucherDraft

from .bulk import build_rows, copy_rows, insert_rows
from .generate import BENCH_PROJECT, PlannedVoucher, voucher_files


def payment(community: str, year: int, reference: str, rng: random.Random) -> PlannedVoucher:
    """One small payment of ``P-BENCH`` (1.00 to 9.99 CNY), alternating the two sources."""
    amount = Decimal(rng.randint(100, 999)) / 100
    source = rng.choice(("city", "district"))
    tags = (BENCH_PROJECT, "convenience", source)
    day = dt.date(year, 12, rng.randint(1, 28))
    return PlannedVoucher(community, reference, day, "支付便民服务日常保障费用", [
        ("5001", amount, None, *tags, "基准测试"), ("1011", None, amount, None, None, source, ""),
        ("7101", amount, None, *tags, ""), ("8001", None, amount, None, None, source, ""),
    ])


def draft_of(planned: PlannedVoucher, key: str) -> VoucherDraft:
    lines = tuple(LineDraft(a, d or 0, c or 0, p, u, s, m) for a, d, c, p, u, s, m in planned.lines)
    return VoucherDraft(planned.date, planned.description, lines, key)


def clerks_of(session: Session) -> Clerks:
    names = ("bench-preparer", "bench-reviewer", "bench-poster")
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
    return Clerks(*(users[n] for n in names))


def _client(url: str, tag: str, client: int, communities: list[str], year: int, start_at: float,
            duration: float, queue) -> None:
    """One clerk posting vouchers one by one until ``duration`` is over."""
    engine = make_engine(url, pool_size=1)
    rng = random.Random(client)
    latencies, errors = [], []
    with Session(engine) as session:
        backend = session.scalar(text("SELECT pg_backend_pid()"))
        clerks = clerks_of(session)
        books = dict(session.execute(
            select(Organisation.code, Book.id).join(Book, Book.organisation_id == Organisation.id)
            .where(Organisation.code.in_(communities), Book.fiscal_year == year)).all())
        session.commit()
        time.sleep(max(0.0, start_at - time.time()))
        cpu = (time.process_time(), _backend_cpu(backend))
        deadline, n = start_at + duration, 0
        while time.time() < deadline:
            community = communities[n % len(communities)]
            planned = payment(community, year, f"{tag}-{client}-{n}", rng)
            started = time.perf_counter()
            try:
                book = session.get(Book, books[community])
                voucher = prepare_voucher(session, book, draft_of(planned, f"bench:{tag}:{client}:{n}"), clerks.preparer)
                review_voucher(session, voucher, by=clerks.reviewer)
                post_voucher(session, voucher, by=clerks.poster)
                session.commit()
                latencies.append(time.perf_counter() - started)
            except Exception as error:  # noqa: BLE001 (counted and reported by the parent)
                session.rollback()
                errors.append(repr(error)[:300])
            n += 1
        cpu = (time.process_time() - cpu[0], _backend_cpu(backend) - cpu[1])
    engine.dispose()
    queue.put((latencies, errors, cpu))


def _backend_cpu(pid: int) -> float:
    """CPU seconds a PostgreSQL backend on this machine has used (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def service_throughput(url: str, communities: list[str], year: int, clients: int, duration: float,
                       contended: bool = False) -> dict:
    """Vouchers per second posted through the service by ``clients`` processes at once.

    ``contended``: every client pays the same project of the same community, so they all
    wait for one book lock and one project lock.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    tag = f"{int(time.time() * 1000) % 10**9}{'c' if contended else ''}{clients}"
    start_at = time.time() + 2.0 + 0.2 * clients  # every process connected and waiting
    processes = []
    for client in range(clients):
        mine = communities[:1] if contended else communities[client::clients] or communities[:1]
        process = context.Process(target=_client, args=(url, tag, client, mine, year, start_at, duration, queue))
        process.start()
        processes.append(process)
    results = [queue.get(timeout=duration + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for lat, _, _ in results for x in lat)
    errors = [e for _, errs, _ in results for e in errs]
    if errors:
        raise RuntimeError(f"{len(errors)} postings failed, e.g. {errors[0]}")
    count = max(1, len(latencies))
    return {"vouchers": len(latencies), "per_second": len(latencies) / duration,
            "client_cpu_ms": 1000 * sum(c[0] for _, _, c in results) / count,
            "server_cpu_ms": 1000 * sum(c[1] for _, _, c in results) / count,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None}


def batch_payments(communities: list[str], year: int, count: int, tag: str) -> list[PlannedVoucher]:
    rng = random.Random(count)
    return [payment(communities[n % len(communities)], year, f"{tag}-{n}", rng) for n in range(count)]


def import_throughput(session: Session, vouchers: list[PlannedVoucher]) -> float:
    """Vouchers per second of one import file of ``vouchers``, all or nothing, one commit."""
    clerks = clerks_of(session)
    files = list(voucher_files(vouchers))
    started = time.perf_counter()
    for data in files:
        report = import_vouchers(session, data, "bench.csv", clerks)
        if not report.ok:
            raise RuntimeError(f"batched import refused: {report.errors[0].message}")
    session.commit()
    return len(vouchers) / (time.perf_counter() - started)


SHADOW = ("bench_raw_vouchers", "bench_raw_lines")


def raw_throughput(session: Session, vouchers: list[PlannedVoucher], repeat: int = 3) -> dict[str, float]:
    """Vouchers per second writing the same rows with INSERT and with COPY into bare copies of
    the tables (same columns, checks and indexes; no triggers, no foreign keys)."""
    voucher_rows, line_rows = build_rows(session, vouchers, clerks_of(session))
    session.rollback()  # build_rows may have opened books: the shadow tables need none of it
    offset = 10**9  # ids apart from the real tables' (same sequence defaults are never used)
    voucher_rows = [(r[0] + offset, *r[1:]) for r in voucher_rows]
    line_rows = [(r[0] + offset, r[1] + offset, *r[2:]) for r in line_rows]
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        for shadow, table in zip(SHADOW, ("vouchers", "voucher_lines")):
            cursor.execute(f"DROP TABLE IF EXISTS {shadow}")
            cursor.execute(f"CREATE TABLE {shadow} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                           "INCLUDING INDEXES)")
    session.commit()
    results = {}
    for name, write in (("insert", insert_rows), ("copy", copy_rows)):
        timings = []
        for _ in range(repeat):
            session.execute(text(f"TRUNCATE {', '.join(SHADOW)}"))
            session.commit()
            raw = session.connection().connection.driver_connection
            started = time.perf_counter()
            with raw.cursor() as cursor:
                write(cursor, voucher_rows, line_rows, SHADOW)
            session.commit()
            timings.append(time.perf_counter() - started)
        results[name] = len(vouchers) / statistics.median(timings)
    session.execute(text(f"DROP TABLE {', '.join(SHADOW)}"))
    session.commit()
    return results
