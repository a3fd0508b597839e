"""Posting throughput: the ledger service from 1, 4 and 16 clients, one voucher or a batch
(``ledger.batches.post_batch``) per transaction, a batched import, and the same rows written by
raw INSERT (in one transaction, and one voucher per transaction from several clients) and by
COPY (the physical limit).

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
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import psycopg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ledger.batches import post_batch
from ledger.books import Book
from ledger.clerks import Clerks
from ledger.db import make_engine
from ledger.imports import import_vouchers
from ledger.organisations import Organisation
from ledger.posting import post_voucher, prepare_voucher, review_voucher
from ledger.users import User
from ledger.vouchers import LineDraft, VoucherDraft

from .bulk import build_rows, copy_rows, insert_rows
from .generate import BENCH_PROJECT, voucher_files
from .planned import PlannedVoucher


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


def _post_one(session: Session, drafts: list[tuple[int, VoucherDraft]], clerks: Clerks) -> None:
    """A clerk's voucher: prepared, reviewed and posted one step at a time (``ledger.posting``)."""
    ((book_id, draft),) = drafts
    voucher = prepare_voucher(session, session.get(Book, book_id), draft, clerks.preparer)
    review_voucher(session, voucher, by=clerks.reviewer)
    post_voucher(session, voucher, by=clerks.poster)


def _post_many(session: Session, drafts: list[tuple[int, VoucherDraft]], clerks: Clerks) -> None:
    """A batch of vouchers through ``ledger.batches.post_batch``, all or nothing."""
    post_batch(session, [(session.get(Book, book_id), draft) for book_id, draft in drafts], clerks)


def _client(url: str, tag: str, client: int, communities: list[str], year: int, start_at: float,
            duration: float, batch: int, most: int | None, queue) -> None:
    """One clerk posting until ``duration`` is over (or ``most`` vouchers are made), ``batch``
    vouchers per transaction (1: one by one through prepare, review and post; more:
    ``post_batch``). Latencies are per transaction."""
    engine = make_engine(url, pool_size=1)
    rng = random.Random(client)
    post = _post_one if batch == 1 else _post_many
    latencies, errors, posted = [], [], 0
    with Session(engine) as session:
        # SQLite has no server: its work is this process's CPU (``bench/sqlite.py``).
        postgres = engine.dialect.name == "postgresql"
        backend = session.scalar(text("SELECT pg_backend_pid()")) if postgres else None
        clerks = clerks_of(session)
        books = dict(session.execute(
            select(Organisation.code, Book.id).join(Book, Book.organisation_id == Organisation.id)
            .where(Organisation.code.in_(communities), Book.fiscal_year == year)).all())
        session.commit()
        time.sleep(max(0.0, start_at - time.time()))
        cpu = (time.process_time(), _backend_cpu(backend))
        deadline, n = start_at + duration, 0
        while time.time() < deadline and (most is None or n + batch <= most):
            drafts = []
            for _ in range(batch):
                community = communities[n % len(communities)]
                planned = payment(community, year, f"{tag}-{client}-{n}", rng)
                drafts.append((books[community], draft_of(planned, f"bench:{tag}:{client}:{n}")))
                n += 1
            started = time.perf_counter()
            try:
                post(session, drafts, clerks)
                session.commit()
                latencies.append(time.perf_counter() - started)
                posted += len(drafts)
            except Exception as error:  # noqa: BLE001 (counted and reported by the parent)
                session.rollback()
                errors.append(repr(error)[:300])
        ended = time.time()  # the last transaction, started before the deadline, may end after it
        cpu = (time.process_time() - cpu[0], _backend_cpu(backend) - cpu[1])
    engine.dispose()
    queue.put((posted, latencies, errors, cpu, ended - start_at))


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds a PostgreSQL backend on this machine has used (0 when it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_clients(target, clients: int, duration: float, args_of) -> list:
    """Start ``clients`` processes of ``target`` together (``args_of(client, start_at, queue)``) and
    collect what each puts on its queue."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 2.0 + 0.2 * clients  # every process connected and waiting
    processes = []
    for client in range(clients):
        process = context.Process(target=target, args=args_of(client, start_at, queue))
        process.start()
        processes.append(process)
    results = [queue.get(timeout=duration + 120) for _ in processes]
    for process in processes:
        process.join()
    return results


def _summary(results: list, what: str) -> dict:
    """Vouchers per second, CPU per voucher and latencies (per transaction) of the clients' results.

    The rate divides by the time from the common start to the end of the last transaction (each
    client starts its last one before the deadline, and a batch may end well after it).
    """
    posted = sum(r[0] for r in results)
    elapsed = max(r[4] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    errors = [e for r in results for e in r[2]]
    if errors:
        raise RuntimeError(f"{len(errors)} {what} failed, e.g. {errors[0]}")
    count = max(1, posted)
    return {"vouchers": posted, "per_second": posted / elapsed if posted else 0.0, "seconds": elapsed,
            "client_cpu_ms": 1000 * sum(r[3][0] for r in results) / count,
            "server_cpu_ms": 1000 * sum(r[3][1] for r in results) / count,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None}


def service_throughput(url: str, communities: list[str], year: int, clients: int, duration: float,
                       contended: bool = False, batch: int = 1, room: dict[str, int] | None = None) -> dict:
    """Vouchers per second posted through the service by ``clients`` processes at once.

    ``contended``: every client pays the same project of the same community, so they all
    wait for one book lock and one project lock. ``batch`` > 1: each transaction posts
    ``batch`` vouchers with ``ledger.batches.post_batch`` (one commit per batch); the rate
    counts vouchers, the latencies (``p50_ms``, ``p95_ms``) are then a batch's. ``room``: how many
    more payments each community's P-BENCH can take (``payments_left``); each client stops before
    its share of it, and ``seconds`` below ``duration`` says the clients stopped there.
    """
    tag = f"{int(time.time() * 1000) % 10**9}{'c' if contended else ''}{clients}{f'b{batch}' if batch > 1 else ''}"

    def mine(client):
        return communities[:1] if contended else communities[client::clients] or communities[:1]

    sharing = {}  # how many clients pay each community
    for client in range(clients):
        for community in mine(client):
            sharing[community] = sharing.get(community, 0) + 1

    def args_of(client, start_at, queue):
        most = None if room is None else len(mine(client)) * min(room[c] // sharing[c] for c in mine(client))
        return (url, tag, client, mine(client), year, start_at, duration, batch, most, queue)

    results = _run_clients(_client, clients, duration, args_of)
    figures = _summary(results, "postings" if batch == 1 else f"postings (batches of {batch})")
    return {**figures, "batch": batch}


#: The mean amount of ``payment`` (1.00 to 9.99 CNY, uniform).
MEAN_PAYMENT = Decimal("5.495")


def payments_left(session: Session, communities: list[str], margin: float = 0.9) -> dict[str, int]:
    """How many more ``payment`` vouchers, on average, each community's ``P-BENCH`` can take, less
    a margin: a measurement that ran past it would be refused by budget control, not measured.
    (Each P-BENCH has 30,000 CNY, some 5,000 payments; the funding sources hold more.)"""
    rows = session.execute(text(
        "SELECT o.code, p.approved_amount, coalesce((SELECT max(t.spent) FROM (SELECT sum(l.debit - l.credit) AS spent "
        "FROM voucher_lines l JOIN vouchers v ON v.id = l.voucher_id JOIN accounts a ON a.id = l.account_id "
        "WHERE l.project_id = p.id AND v.status = 'posted' AND a.category IN ('expense', 'budget_expenditure') "
        "GROUP BY a.category) t), 0) FROM ledger_projects p JOIN organisations o ON o.id = p.organisation_id "
        "WHERE o.code = ANY(:communities) AND p.code = :project"),
        {"communities": list(communities), "project": BENCH_PROJECT}).all()
    session.rollback()  # read only
    left = {code: max(0, int(Decimal(margin) * (approved - spent) / MEAN_PAYMENT)) for code, approved, spent in rows}
    return {code: left.get(code, 0) for code in communities}


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
#: Ids of the shadow rows, apart from the real tables' (the same sequence defaults are never used).
SHADOW_OFFSET = 10**9


def shadow_rows(session: Session, vouchers: list[PlannedVoucher]) -> tuple[list[tuple], list[tuple]]:
    """The rows ``vouchers`` would be posted as (``bench.bulk.build_rows``), ids moved apart."""
    voucher_rows, line_rows = build_rows(session, vouchers, clerks_of(session))
    session.rollback()  # build_rows may have opened books: the shadow tables need none of it
    voucher_rows = [(r[0] + SHADOW_OFFSET, *r[1:]) for r in voucher_rows]
    line_rows = [(r[0] + SHADOW_OFFSET, r[1] + SHADOW_OFFSET, *r[2:]) for r in line_rows]
    return voucher_rows, line_rows


@contextmanager
def shadow_tables(session: Session):
    """Bare copies of ``vouchers`` and ``voucher_lines`` (same columns, checks and indexes; no
    triggers, no foreign keys), committed for other connections to see, dropped afterwards."""
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        for shadow, table in zip(SHADOW, ("vouchers", "voucher_lines")):
            cursor.execute(f"DROP TABLE IF EXISTS {shadow}")
            cursor.execute(f"CREATE TABLE {shadow} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                           "INCLUDING INDEXES)")
    session.commit()
    try:
        yield
    finally:
        session.rollback()
        session.execute(text(f"DROP TABLE IF EXISTS {', '.join(SHADOW)}"))
        session.commit()


def raw_throughput(session: Session, vouchers: list[PlannedVoucher], repeat: int = 3) -> dict[str, float]:
    """Vouchers per second writing the same rows with INSERT and with COPY into bare copies of
    the tables (same columns, checks and indexes; no triggers, no foreign keys), all in one
    transaction."""
    voucher_rows, line_rows = shadow_rows(session, vouchers)
    results = {}
    with shadow_tables(session):
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
    return results


#: Per client, room for this many vouchers' ids in ``raw_per_transaction``.
_PER_CLIENT = 10**7


def unique_rows(templates: list[tuple[tuple, list[tuple]]], width: int, client: int, n: int) -> tuple[tuple, list]:
    """Client ``client``'s ``n``-th voucher row and its line rows, cycled from ``templates`` (a voucher
    row of ``shadow_rows`` and its lines) with id, number and request key made unique per client and
    iteration (no collisions, so no waiting on each other's unique keys)."""
    voucher, lines = templates[(client + n) % len(templates)]
    serial = client * _PER_CLIENT + n
    voucher_id = SHADOW_OFFSET + serial
    row = (voucher_id, *voucher[1:5], f"{voucher[5]}:raw:{client}:{n}", *voucher[6:8], serial + 1, *voucher[9:])
    return row, [(SHADOW_OFFSET + serial * width + j, voucher_id, *line[2:]) for j, line in enumerate(lines)]


def templates_of(voucher_rows: list[tuple], line_rows: list[tuple]) -> tuple[list[tuple[tuple, list[tuple]]], int]:
    """Each voucher row with its line rows, and the most lines a voucher has."""
    lines_of: dict[int, list[tuple]] = {}
    for line in line_rows:
        lines_of.setdefault(line[1], []).append(line)
    templates = [(row, lines_of.get(row[0], [])) for row in voucher_rows]
    return templates, max(len(lines) for _, lines in templates)


def _raw_client(conninfo: str, client: int, templates: list[tuple[tuple, list[tuple]]], width: int,
                start_at: float, duration: float, queue) -> None:
    """One client writing one voucher row and its lines per transaction until ``duration`` is over."""
    latencies, errors, written = [], [], 0
    with psycopg.connect(conninfo) as connection:
        backend = connection.info.backend_pid
        time.sleep(max(0.0, start_at - time.time()))
        cpu = (time.process_time(), _backend_cpu(backend))
        deadline, n = start_at + duration, 0
        with connection.cursor() as cursor:
            while time.time() < deadline and n < _PER_CLIENT:
                row, rows = unique_rows(templates, width, client, n)
                started = time.perf_counter()
                try:
                    insert_rows(cursor, [row], rows, SHADOW)
                    connection.commit()
                    latencies.append(time.perf_counter() - started)
                    written += 1
                except Exception as error:  # noqa: BLE001 (counted and reported by the parent)
                    connection.rollback()
                    errors.append(repr(error)[:300])
                n += 1
        ended = time.time()
        cpu = (time.process_time() - cpu[0], _backend_cpu(backend) - cpu[1])
    queue.put((written, latencies, errors, cpu, ended - start_at))


def raw_per_transaction(url: str, session: Session, vouchers: list[PlannedVoucher], clients: int,
                        duration: float) -> dict:
    """Vouchers per second of ``clients`` processes each writing the rows of ``vouchers`` into the bare
    copies of the tables, one voucher (its row and its lines, one INSERT each) per transaction, for
    ``duration`` seconds: the physical limit of posting one voucher per transaction. psycopg
    directly, no ORM. Each client cycles through the rows (``unique_rows``)."""
    templates, width = templates_of(*shadow_rows(session, vouchers))
    if (clients * _PER_CLIENT) * width + SHADOW_OFFSET >= 2**31:
        raise ValueError(f"{clients} clients: the shadow ids would not fit in an integer")
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with shadow_tables(session):
        results = _run_clients(_raw_client, clients, duration,
                               lambda client, start_at, queue: (conninfo, client, templates, width, start_at,
                                                                duration, queue))
    return _summary(results, "raw INSERT transactions")
