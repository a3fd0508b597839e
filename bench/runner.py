"""What ``bench/run`` does, step by step (see its docstring and bench/README.md)."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ledger.base import Base
from ledger.db import make_engine
from ledger.organisations import Organisation, by_code

from . import figures as figures_module
from .generate import SCALES, load, plan_city
from .web import WRK, Server, api_throughput, login_cookie, web_users, wrk
from .measuring import Run, create_database, drop_database, log, timed
from .memory import peak_mb
from .posting import (batch_payments, import_throughput, payments_left, raw_per_transaction, raw_throughput,
                      service_throughput)
from .results import machine, update_readme, write
from .sqlite import measure

HERE = Path(__file__).resolve().parent
#: Seconds each throughput or load measurement runs, per scale.
DURATION = {"tiny": 3, "small": 8, "city": 10, "full": 20}
#: Vouchers in the batched import (and in the raw INSERT / COPY of the same rows).
BATCH = {"tiny": 40, "small": 150, "city": 300, "full": 1000}
#: Vouchers per transaction when clients post batches (``ledger.batches.post_batch``).
POSTING_BATCH = 50


def _stopped(figures: dict, seconds: float) -> str:
    """What a reference text adds when the clients stopped before the time was over."""
    if figures["seconds"] >= seconds:
        return ""
    return f"; stopped after {figures['vouchers']:,} vouchers in {figures['seconds']:.1f} s, short of P-BENCH's budget"


def posting(run: Run, url: str, session: Session, communities: list[str], year: int, seconds: float, batch: int):
    service = {}
    for clients in (1, 4, 16):
        log(f"posting through the service, {clients} clients, {seconds} s")
        service[clients] = service_throughput(url, communities, year, clients, seconds)
    log("posting on one contended project, 4 clients")
    contended = service_throughput(url, communities, year, 4, seconds, contended=True)
    log(f"posting batches of {POSTING_BATCH} through the service, 4 clients, {seconds} s")
    # Each P-BENCH has 30,000 CNY (~5,000 payments): the clients stop short of it (a refusal is
    # not a measurement), which only a fast machine would reach in a short run.
    batched = service_throughput(url, communities, year, 4, seconds, batch=POSTING_BATCH,
                                 room=payments_left(session, communities))
    log(f"posting batches of {POSTING_BATCH} on one contended project, 4 clients")
    # The last community's P-BENCH, not the first's, which the one-by-one contended run above spent from.
    batched_contended = service_throughput(url, communities[::-1], year, 4, seconds, contended=True,
                                           batch=POSTING_BATCH, room=payments_left(session, communities[-1:]))
    tag = f"batch{int(time.time()) % 10**6}"
    vouchers = batch_payments(communities, year, batch, tag)
    log(f"batched import of {batch} vouchers")
    imported = import_throughput(session, vouchers)
    raw = raw_throughput(session, batch_payments(communities, year, batch, tag + "raw"))
    log(f"raw INSERT, one voucher per transaction, 4 clients, {seconds} s")
    raw_single = raw_per_transaction(url, session, batch_payments(communities, year, batch, tag + "raw1"), 4, seconds)
    for clients, figures in service.items():
        target = ("≥ 50 % of raw INSERT and ≥ 1,000/s" if clients == 4 else "")
        met = (figures["per_second"] >= 0.5 * raw["insert"] and figures["per_second"] >= 1000) if clients == 4 else None
        run.add(f"posting: service, {clients} client{'s' if clients > 1 else ''}", figures["per_second"],
                raw["insert"], "vouchers/s", "raw INSERT of the same rows", target, met)
    run.add("posting: service, 4 clients", service[4]["per_second"], raw["copy"], "vouchers/s",
            "COPY of the same rows (physical limit)")
    client_cpu, server_cpu = service[4]["client_cpu_ms"], service[4]["server_cpu_ms"]
    cpu = client_cpu + server_cpu
    run.add("posting: CPU per voucher, 4 clients", cpu, None, "ms",
            f"Python client {client_cpu:.0f} ms + PostgreSQL backend {server_cpu:.0f} ms")
    if cpu:
        run.add("posting: service, 4 clients", service[4]["per_second"], 2000 / cpu, "vouchers/s",
                "ceiling of 2 idle cores at that CPU per voucher")
    run.add("posting: service p95 latency, 4 clients", service[4]["p95_ms"], service[1]["p95_ms"], "ms",
            "p95 with 1 client")
    run.add("posting: batched import", imported, raw["insert"], "vouchers/s", "raw INSERT of the same rows")
    run.add("posting: raw INSERT", raw["insert"], raw["copy"], "vouchers/s", "COPY")
    run.add("posting: one contended project budget, 4 clients", contended["per_second"], service[4]["per_second"],
            "vouchers/s", "4 clients on separate communities", "≥ 150/s", contended["per_second"] >= 150)
    # Each figure against a reference of its own shape: one voucher per transaction against raw
    # INSERT one voucher per transaction from as many clients; batches against the batched INSERT.
    run.add("posting: service, 4 clients", service[4]["per_second"], raw_single["per_second"], "vouchers/s",
            "raw INSERT, one voucher per transaction, 4 clients")
    run.add("posting: raw INSERT, one voucher per transaction, 4 clients", raw_single["per_second"], raw["insert"],
            "vouchers/s", "raw INSERT of the same rows in one transaction")
    per_second = batched["per_second"]
    run.add(f"posting: service, batches of {POSTING_BATCH}, 4 clients", per_second, raw["insert"], "vouchers/s",
            f"raw INSERT of the same rows{_stopped(batched, seconds)}", "≥ 50 % of raw INSERT and ≥ 1,000/s",
            per_second >= 0.5 * raw["insert"] and per_second >= 1000)
    client_cpu, server_cpu = batched["client_cpu_ms"], batched["server_cpu_ms"]
    cpu = client_cpu + server_cpu
    run.add(f"posting: CPU per voucher, batches of {POSTING_BATCH}, 4 clients", cpu, None, "ms",
            f"Python client {client_cpu:.1f} ms + PostgreSQL backend {server_cpu:.1f} ms")
    if cpu:
        run.add(f"posting: service, batches of {POSTING_BATCH}, 4 clients", per_second, 2000 / cpu, "vouchers/s",
                "ceiling of 2 idle cores at that CPU per voucher")
    run.add(f"posting: p95 latency of a batch of {POSTING_BATCH}, 4 clients", batched["p95_ms"],
            service[4]["p95_ms"], "ms", "p95 of one voucher, 4 clients one by one")
    run.add(f"posting: one contended project budget, batches of {POSTING_BATCH}, 4 clients",
            batched_contended["per_second"], per_second, "vouchers/s",
            f"4 clients on separate communities, batches of {POSTING_BATCH}{_stopped(batched_contended, seconds)}",
            "≥ 150/s",
            batched_contended["per_second"] >= 150)
    return service


def reports(run: Run, session: Session, scopes: list[Organisation], year: int, folder: Path, use_hledger: bool):
    for scope in scopes:
        log(f"figures for {scope.level} {scope.code}")
        compared = figures_module.compare(session, scope, year, folder, use_hledger=use_hledger)  # fails loudly
        ours_s, _ = timed(lambda: figures_module.ours(session, scope, year))
        categories = figures_module.account_categories(session)
        sql_s, _ = timed(lambda: figures_module.raw_sql(session, scope, year, categories))
        city = scope.level == "city"
        run.add(f"report: trial balance + execution, {scope.level}", 1000 * ours_s, 1000 * sql_s, "ms",
                "hand-written SQL GROUP BY", "≤ 1.5× and < 1 s" if city else "",
                (ours_s <= 1.5 * sql_s and ours_s < 1) if city else None)
        bean = compared["beancount"].seconds
        run.add(f"report: trial balance + execution, {scope.level}", 1000 * ours_s, 1000 * bean, "ms",
                "bean-query on our Beancount export", "≥ 50× faster" if city else "",
                (bean >= 50 * ours_s) if city else None)
        if "hledger" in compared:
            hl = compared["hledger"].seconds
            run.add(f"report: trial balance + execution, {scope.level}", 1000 * ours_s, 1000 * hl, "ms",
                    "hledger bal on an equivalent journal", "≥ 10× faster" if city else "",
                    (hl >= 10 * ours_s) if city else None)
        run.add(f"report: figures agree to the fen, {scope.level}", len(compared), len(compared), "tools",
                "+".join(compared))
        if city:
            lines = session.scalar(text("SELECT count(*) FROM voucher_lines"))
            ours_all, bare_all = figures_module.all_years(session, scope)
            run.add(f"report: trial balance of every year, city ({lines:,} lines)", 1000 * ours_all, 1000 * bare_all,
                    "ms", "hand-written SQL GROUP BY", "≤ 1.5× and < 1 s",
                    ours_all <= 1.5 * bare_all and ours_all < 1)


def pages(run: Run, base: str, community: str, street: str, committee: str, seconds: int):
    if WRK is None:
        log("wrk is not installed: page measurements skipped (apt-get install -y wrk)")
        return
    bare = wrk(f"{base}/bench/bare", duration=seconds)
    board = wrk(f"{base}/c/{community}", duration=seconds)
    dashboard = wrk(f"{base}/street/{street}", duration=seconds, cookie=login_cookie(base, committee))
    for name, figures in (("public board", board), ("street dashboard", dashboard)):
        if figures["errors"]:  # timeouts (30 s) or non-2xx answers: said loudly, and kept as a figure
            log(f"WARNING {name}: {figures['errors']} of {figures['requests']} requests failed under load")
            run.add(f"pages: {name}, failed requests", figures["errors"], figures["requests"], "requests",
                    "requests made", "none", False)
    run.add("pages: public board, 50 connections", board["per_second"], bare["per_second"], "requests/s",
            "bare Flask route, same server", "≥ 1,000/s", board["per_second"] >= 1000)
    run.add("pages: public board p95, 50 connections", board["p95_ms"], bare["p95_ms"], "ms",
            "bare Flask route, same server", "< 100 ms", board["p95_ms"] < 100)
    run.add("pages: street dashboard, 50 connections", dashboard["per_second"], bare["per_second"], "requests/s",
            "bare Flask route, same server")
    run.add("pages: street dashboard p95, 50 connections", dashboard["p95_ms"], bare["p95_ms"], "ms",
            "bare Flask route, same server", "< 200 ms", dashboard["p95_ms"] < 200)


def memory(run: Run, url: str, city: str, year: int, batch: int, bean_file: Path):
    log("peak memory")
    baseline = peak_mb("baseline", url)
    report = peak_mb("report", url, city, str(year))
    imported = peak_mb("import", url, str(batch))
    bean = peak_mb("command", str(figures_module.BEAN_QUERY), "-f", "csv", str(bean_file),
                   figures_module.BEAN_QUERY_SQL)
    run.add("memory: largest report (city trial balance + execution by community)", report, baseline, "MB",
            "same process doing nothing", "< 500 MB", report < 500)
    run.add("memory: largest report", report, bean, "MB", "bean-query on the same figures")
    run.add(f"memory: batched import of {batch} vouchers", imported, baseline, "MB", "same process doing nothing")


#: What ``--only`` can choose; a full run measures every part (``api`` needs ``posting``'s figures;
#: ``sqlite`` generates the city again into a SQLite file, ``bench/sqlite.py``).
PARTS = ("posting", "reports", "api", "pages", "memory", "sqlite")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks of issue 7.")
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--database", default=None, help="database name (default bench_<scale>)")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the SQLite file)")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to measure (default all: {','.join(PARTS)})")
    parser.add_argument("--output", type=Path, default=None, help="results file (default bench/results.json)")
    parser.add_argument("--readme-marker", default=None,
                        help="with --output: also rewrite the README table between <!-- MARKER:start/end -->")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    if parts - set(PARTS):
        parser.error(f"--only: unknown parts {', '.join(sorted(parts - set(PARTS)))}")
    if parts != set(PARTS) and args.output is None:
        parser.error("--only: a partial run needs --output (results.json holds whole runs)")
    started = time.time()
    scale = SCALES[args.scale]
    run = Run(args.scale, machine(), args.output or HERE / "results.json")
    name = args.database or f"bench_{args.scale}"
    url = create_database(args.server, name)
    log(f"database {make_url(url).database}, scale {scale}")
    engine = make_engine(url)
    import app.models  # noqa: F401  (every table of the application)

    Base.metadata.create_all(engine)
    seconds, batch = DURATION[args.scale], BATCH[args.scale]
    folder = Path(tempfile.mkdtemp(prefix="bench-"))  # peer files and the gunicorn log
    try:
        with Session(engine) as session:
            plan = plan_city(scale, args.seed)
            log(f"generating {len(plan.vouchers) + len(plan.allocations)} vouchers")
            loaded = load(session, plan, log=log)
            log(f"generated: {loaded}")
            run.add("generation: import path (allocations and vouchers)", loaded["imported"] /
                    (loaded["allocations_s"] + loaded["vouchers_s"]), None, "vouchers/s",
                    f"{loaded['imported']} vouchers imported, {loaded['copied']} COPYed")
            year = scale.year_list[-1]
            communities = plan.communities()
            streets = plan.streets()
            if "posting" in parts or "api" in parts:
                service = posting(run, url, session, communities, year, seconds, batch)
            if "reports" in parts:
                scopes = [by_code(session, communities[0]), by_code(session, streets[0]), by_code(session, plan.city)]
                reports(run, session, scopes, year, folder, figures_module.HLEDGER is not None)
            if "api" in parts or "pages" in parts:
                secrets = web_users(session, streets[0])
                with Server(url, log=folder / "gunicorn.log") as server:
                    if "api" in parts:
                        log("posting through the HTTP API, 4 clients")
                        api = api_throughput(server.base, session, streets[0], secrets, year, 4, seconds)
                        session.rollback()
                        run.add("api: vouchers through /api/v1 (create, review, post), 4 clients", api["per_second"],
                                service[4]["per_second"], "vouchers/s", "the service directly, 4 clients")
                        run.add("api: p50 latency of a voucher (3 requests), 4 clients", api["p50_ms"],
                                service[4]["p50_ms"], "ms", "the service directly, 4 clients")
                        run.add("api: p95 latency of a voucher (3 requests), 4 clients", api["p95_ms"],
                                service[4]["p95_ms"], "ms", "the service directly, 4 clients")
                    if "pages" in parts:
                        log("pages under wrk, 50 connections")
                        pages(run, server.base, communities[0], streets[0], secrets["committee"], seconds)
            if "memory" in parts:
                memory(run, url, plan.city, year, batch, folder / f"{plan.city}-{year}.beancount")
            if "sqlite" in parts:
                measure(run, folder, args.seed, seconds, batch, keep=args.keep)
        run.add("run: machine load at the end (1-minute average; other jobs share the cores)", os.getloadavg()[0],
                os.cpu_count(), "runnable processes", "CPU cores")
        run.add("run: wall time of bench/run", time.time() - started, 600 if args.scale == "small" else None, "s",
                "ten minutes" if args.scale == "small" else "", "< 600 s" if args.scale == "small" else "",
                (time.time() - started) < 600 if args.scale == "small" else None)
        write(run.results, args.output or HERE / "results.json")
        if args.output is None:
            update_readme(run.results)
        elif args.readme_marker:
            update_readme(run.results, marker=args.readme_marker)
        log(f"done in {time.time() - started:.0f} s: {len(run.results)} measurements (files in {folder})")
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(args.server, name)
