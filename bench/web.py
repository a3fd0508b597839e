"""The web side of the benchmarks: gunicorn, API posting clients and the wrk load generator.

``Server`` runs ``gunicorn bench.wsgi:app`` on 127.0.0.1 for the benchmark's database.
``api_throughput`` posts vouchers through ``/api/v1`` (create, review, post: three requests
a voucher, with two tokens because the preparer may not review) from a few client
threads. ``wrk`` puts 50 connections on one URL and reads requests/s and p95 from a Lua
``done`` hook (wrk's own report stops at p99 without p95).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books import Book
from ledger.organisations import Organisation, by_code
from ledger.users import User

from .posting import payment

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"
WRK = shutil.which("wrk")
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %f %f %f\\n", summary.requests, summary.duration,
    latency:percentile(50.0), latency:percentile(95.0), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


class Server:
    """gunicorn serving the benchmark's database; a context manager."""

    def __init__(self, url: str, port: int = 8765, workers: int = 4, log: Path | None = None):
        self.url, self.port, self.workers, self.log = url, port, workers, log
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Server:
        env = dict(os.environ, BENCH_DATABASE_URL=self.url, DATABASE_URL=self.url, APP_ENV="production",
                   PYTHONPATH=str(ROOT))
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        out = open(self.log, "wb") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [gunicorn, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "bench.wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/bench/bare", timeout=10).status_code == 200:
                    for _ in range(self.workers * 4):  # every worker has imported and connected
                        requests.get(self.base + "/bench/bare", timeout=30)
                    return self
            except requests.RequestException:
                time.sleep(0.5)
            except BaseException:
                self.__exit__()
                raise
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start (see {self.log})")

    def __exit__(self, *_exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def web_users(session: Session, street_code: str) -> dict[str, str]:
    """Three finance clerks and a committee member of one street, and API tokens for the clerks."""
    from app.api.tokens import issue_token
    from app.auth.operations import create_user

    street = by_code(session, street_code)
    users, secrets = {}, {}
    for name, role in (("finance", "street_finance"), ("finance2", "street_finance"), ("finance3", "street_finance"),
                       ("committee", "street_committee")):
        username = f"bench-{name}-{street_code.lower()}"
        user = session.scalar(select(User).where(User.username == username)) or create_user(
            session, username, f"{street.name}{name}", PASSWORD, role=role, org=street, fast_hash=True)
        users[name] = user
    for name in ("finance", "finance2", "finance3"):
        _token, secrets[name] = issue_token(session, users[name], f"bench {uuid.uuid4().hex[:8]}")
    session.commit()
    secrets["committee"] = users["committee"].username
    return secrets


def api_throughput(base: str, session: Session, street_code: str, tokens: dict, year: int, clients: int,
                   duration: float) -> dict:
    """Vouchers per second and latency of a voucher (its three requests) through the API."""
    street = by_code(session, street_code)
    books = dict(session.execute(
        select(Organisation.code, Book.id).join(Book, Book.organisation_id == Organisation.id)
        .where(Organisation.parent_id == street.id, Book.fiscal_year == year)).all())
    communities = sorted(books)
    latencies, errors = [], []
    start_at = time.time() + 1.0

    def client(n: int) -> None:
        rng = random.Random(1000 + n)
        http = requests.Session()
        prepare = {"Authorization": f"Bearer {tokens['finance']}"}
        check = {"Authorization": f"Bearer {tokens['finance2']}"}
        post = {"Authorization": f"Bearer {tokens['finance3']}"}
        time.sleep(max(0.0, start_at - time.time()))
        i = 0
        while time.time() < start_at + duration:
            community = communities[(n + i * clients) % len(communities)]
            planned = payment(community, year, f"api-{n}-{i}", rng)
            body = {"date": planned.date.isoformat(), "description": planned.description, "lines": [
                {"account": a, "debit": str(d) if d else None, "credit": str(c) if c else None, "project": p,
                 "purpose": u, "source": s, "memo": m} for a, d, c, p, u, s, m in planned.lines]}
            body["lines"] = [{k: v for k, v in line.items() if v is not None} for line in body["lines"]]
            started = time.perf_counter()
            created = http.post(f"{base}/api/v1/books/{books[community]}/vouchers", json=body,
                                headers={**prepare, "Idempotency-Key": uuid.uuid4().hex})
            if created.status_code != 201:
                errors.append(created.text[:300])
                i += 1
                continue
            voucher = created.json()["id"]
            reviewed = http.post(f"{base}/api/v1/vouchers/{voucher}/review", headers=check)
            posted = http.post(f"{base}/api/v1/vouchers/{voucher}/post", headers=post)
            if reviewed.status_code != 200 or posted.status_code != 200:
                errors.append((reviewed.text or posted.text)[:300])
            else:
                latencies.append(time.perf_counter() - started)
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} API postings failed, e.g. {errors[0]}")
    latencies.sort()
    return {"vouchers": len(latencies), "per_second": len(latencies) / duration,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))]}


def login_cookie(base: str, username: str) -> str:
    """The session cookie of a browser that logged in as ``username``."""
    import re

    http = requests.Session()
    page = http.get(f"{base}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = http.post(f"{base}/login", data={"csrf_token": token, "username": username, "password": PASSWORD},
                       allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"login as {username} failed ({answer.status_code})")
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def wrk(url: str, connections: int = 50, duration: int = 10, threads: int = 2, cookie: str | None = None,
        folder: Path = Path("/tmp")) -> dict:
    """Requests per second and p50/p95 latency (ms) of ``url`` under ``connections``."""
    if WRK is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    script = folder / "bench-wrk.lua"
    script.write_text(WRK_SCRIPT)
    command = [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
               "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    count, micros, p50, p95, errors = line.split()[1:]
    return {"requests": int(count), "per_second": int(count) / (int(micros) / 1e6), "p50_ms": float(p50) / 1000,
            "p95_ms": float(p95) / 1000, "errors": int(float(errors))}
