"""Login brute force against real gunicorn workers: the limit holds in total, not per worker.

Three gunicorn workers share the login counters in Redis (``RATELIMIT_STORAGE_URI``, as
the README tells production to do). Forty wrong passwords for one user name are sent at
once from many threads; whichever worker takes each one, only the limit's five are
answered and the rest get 429. The access log names the worker of every request, so the
test also proves that more than one worker answered. Skipped, with the reason, when no
Redis answers on 127.0.0.1:6379 (``REQUIRE_SERVICES=1`` makes that a failure).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.concurrent  # processes or connections of its own (tests/conftest.py)

REDIS_URL = "redis://127.0.0.1:6379/14"
WORKERS = 3
ATTEMPTS = 40
PER_USERNAME = 5


def _redis():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
        client.ping()
        return client
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(url: str, process, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


@pytest.fixture
def gunicorn(database, tmp_path):
    redis_client = _redis()
    if redis_client is None:
        pytest.skip("needs Redis on 127.0.0.1:6379: the shared login counters of several workers live there")
    redis_client.flushdb()
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ, "APP_ENV": "development", "DATABASE_URL": database.url, "SECRET_KEY": "bruteforce-test",
        "INSTANCE_PATH": str(tmp_path / "instance"), "RATELIMIT_STORAGE_URI": REDIS_URL,
        "LOGIN_RATE_LIMIT": "10 per minute", "LOGIN_RATE_LIMIT_PER_USERNAME": f"{PER_USERNAME} per minute",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
    }
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(s)s",
         "--error-logfile", str(tmp_path / "error.log"), "wsgi:app"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/login", process)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=30)
        redis_client.flushdb()


def _attempt(base: str, n: int) -> int:
    import requests

    with requests.Session() as browser:
        page = browser.get(f"{base}/login", timeout=30).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return browser.post(f"{base}/login", data={"csrf_token": token, "username": "admin",
                                                   "password": f"guess-{n:04d}-wrong"}, timeout=30).status_code


def test_login_guesses_are_limited_across_all_workers(gunicorn):
    base, log = gunicorn
    # On SQLite the guesses go one at a time: concurrent writers from several processes get
    # "database is locked" there (a deferred BEGIN cannot upgrade to a write lock), which is a
    # limit of the single-machine setup, not of the rate limit under test. PostgreSQL takes them at once.
    threads = 12 if ON_POSTGRES else 1
    with ThreadPoolExecutor(max_workers=threads) as pool:
        codes = list(pool.map(lambda n: _attempt(base, n), range(ATTEMPTS)))
    assert codes.count(200) == PER_USERNAME, codes  # five wrong-password pages in total, not five per worker
    assert codes.count(429) == ATTEMPTS - PER_USERNAME, codes
    time.sleep(0.5)  # the access log is written after each response
    posts = [line.split() for line in log.read_text().splitlines() if " POST " in f" {line} "]
    workers = {pid for pid, _method, _status in posts}
    assert len(posts) == ATTEMPTS and len(workers) > 1, f"{len(workers)} worker(s) answered"
