#!/usr/bin/env python3
"""The two commands a newcomer needs, on a machine with nothing but Python 3.11+.

    python3 dev.py run    install, create the SQLite database, load the demo city, and serve
                          the application on http://127.0.0.1:5000 with a background worker
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


def run(argv: list[str]) -> int:
    port = argv[argv.index("--port") + 1] if "--port" in argv else "5000"
    ensure_environment("")
    env = {**os.environ, "APP_ENV": os.environ.get("APP_ENV", "development")}
    flask("init-db", env=env)
    flask("demo", "load", "--if-empty", env=env)
    instance = Path(env.get("INSTANCE_PATH", ROOT / "instance"))
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "wsgi:celery_app", "worker", "--beat", "--pool=solo",
         "--loglevel=WARNING", "--schedule", str(instance / "celerybeat-schedule")],
        cwd=ROOT, env=env,
    )
    print(f"\nserving on http://127.0.0.1:{port}/  (Ctrl-C stops the web server and the worker)")
    print("demo accounts: admin, oversight-d01, committee-s0101, finance-s0101, secretary-q010101 ...")
    print("password for every demo account: shequ-demo-2026\n", flush=True)
    try:
        return subprocess.run(
            [PYTHON, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", port],
            cwd=ROOT, env=env,
        ).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


def test(argv: list[str]) -> int:
    ensure_environment("test")
    # One pytest worker per core (pytest-xdist), each on a database of its own, unless the
    # arguments choose (``-n 0`` runs in this process, as a debugger wants).
    workers = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in argv) else ["-n", "auto"]
    return subprocess.run([PYTHON, "-m", "pytest", *workers, *argv], cwd=ROOT).returncode


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
