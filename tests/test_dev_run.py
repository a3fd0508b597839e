"""``python3 dev.py run`` started in the background stops its web server and worker on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.concurrent  # processes or connections of its own (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie left for init to reap does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_a_background_run_frees_its_port_and_stops_its_worker(tmp_path, signum):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "TEST_DATABASE_URL")}
    env["INSTANCE_PATH"] = str(tmp_path / "instance")
    log = open(tmp_path / "run.log", "w")
    runner = subprocess.Popen([sys.executable, "dev.py", "run", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    child_pids: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while not _port_open(port):
            assert runner.poll() is None and time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            time.sleep(0.5)
        assert "河东区" in urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(runner.pid)], capture_output=True, text=True)
        child_pids += [int(p) for p in children.stdout.split()]
        assert len(child_pids) == 2, "dev.py run starts the web server and the worker"

        os.kill(runner.pid, signum)  # to dev.py alone, as `kill PID` sends it
        stopped = time.monotonic()
        while _port_open(port) and time.monotonic() - stopped < 10:
            time.sleep(0.2)
        assert not _port_open(port), "the port is still held 10 s after the signal"
        assert runner.wait(timeout=10) == 0
        assert [pid for pid in child_pids if _alive(pid)] == [], "a child outlived dev.py run"
    finally:
        for group in [runner.pid, *child_pids]:  # the groups this test and dev.py created
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        log.close()
