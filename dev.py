#!/usr/bin/env python3
"""The two commands a newcomer needs, on a machine with nothing but Python 3.11+.

    python3 dev.py run    install, create the SQLite database, load the demo city, and serve
                          the application on http://127.0.0.1:5000 with a background worker
                          (--port N serves on another port; Ctrl-C or SIGTERM stops both)
    python3 dev.py test   install with the test extras and run the test suite (pytest args pass on)

Everything is installed into ./.venv; a second run reinstalls only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment(extras: str) -> None:
    """Create .venv and install the project (editable) with ``extras`` when anything changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("installing dependencies into .venv ...", flush=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def flask(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], check=True, cwd=ROOT, env=env)


class Stopped(Exception):
    """SIGTERM or SIGINT reached this process."""


def _raise_stopped(signum, _frame) -> None:
    raise Stopped(signum)


def start(command: list, env: dict) -> subprocess.Popen:
    """A child in a process group of its own, so that stopping it reaches its own children too."""
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=os.name != "nt")


def stop(child: subprocess.Popen, seconds: float = 8) -> None:
    """SIGTERM to the child's group, and SIGKILL to what is left after ``seconds``."""
    if child.poll() is not None:
        return
    if os.name == "nt":
        child.terminate()
    else:
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        if os.name == "nt":
            child.kill()
        else:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def run(argv: list[str]) -> int:
    port = argv[argv.index("--port") + 1] if "--port" in argv else "5000"
    ensure_environment("")
    env = {**os.environ, "APP_ENV": os.environ.get("APP_ENV", "development")}
    instance = Path(env.get("INSTANCE_PATH", ROOT / "instance"))
    # Ctrl-C, or SIGTERM sent to this process alone (it runs in the background), stops the
    # web server and the worker too: neither is left holding the port or the broker.
    signal.signal(signal.SIGTERM, _raise_stopped)
    signal.signal(signal.SIGINT, _raise_stopped)
    children = []
    try:
        flask("init-db", env=env)  # subprocess.run ends its child when interrupted
        flask("demo", "load", "--if-empty", env=env)
        children.append(start(
            [PYTHON, "-m", "celery", "-A", "wsgi:celery_app", "worker", "--beat", "--pool=solo",
             "--loglevel=WARNING", "--schedule", str(instance / "celerybeat-schedule")], env))
        children.append(start(
            [PYTHON, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", port], env))
        print(f"\nserving on http://127.0.0.1:{port}/  (Ctrl-C, or kill {os.getpid()}, stops the web server and the worker)")
        print("demo accounts: admin, oversight-d01, committee-s0101, finance-s0101, secretary-q010101 ...")
        print("password for every demo account: shequ-demo-2026\n", flush=True)
        return children[-1].wait()
    except Stopped:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for child in reversed(children):
            stop(child)


def test(argv: list[str]) -> int:
    ensure_environment("test")
    # One pytest worker per core (pytest-xdist), each on a database of its own, unless the
    # arguments choose (``-n 0`` runs in this process, as a debugger wants).
    # The tests marked ``concurrent`` share one worker (``--dist loadgroup``, tests/conftest.py).
    chosen = any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in argv)
    workers = [] if chosen else ["-n", "auto", "--dist", "loadgroup"]
    return subprocess.run([PYTHON, "-m", "pytest", *workers, *argv], cwd=ROOT).returncode


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
