"""What every part of the benchmark uses: a log line, a timer, scratch databases, the results of a run."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from .results import Result, result, write


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def create_database(server: str, name: str) -> str:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def timed(function, repeat: int = 3):
    """The median seconds of ``repeat`` calls (after one warm-up) and the last value."""
    value = function()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), value


class Run:
    def __init__(self, scale: str, machine_text: str, output: Path):
        self.scale, self.machine, self.results, self.output = scale, machine_text, [], output

    def add(self, name, ours, reference, unit, reference_is, target="", met=None) -> Result:
        entry = result(name, self.scale, ours, reference, unit, self.machine, reference_is, target, met)
        self.results.append(entry)
        write(self.results, self.output)  # a run that fails later still leaves what it measured
        log(f"{name}: ours {entry.ours} {unit}, reference {entry.reference} ({reference_is}), ratio {entry.ratio}")
        return entry
