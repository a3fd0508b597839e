"""The results of a run: one object per measurement, ``bench/results.json`` and the README table."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
README = HERE / "README.md"
KEYS = ("name", "scale", "ours", "reference", "ratio", "unit", "machine")


@dataclass
class Result:
    """``ratio`` is always ours / reference, whatever the unit (``target`` says which way is good)."""

    name: str
    scale: str
    ours: float
    reference: float | None
    ratio: float | None
    unit: str
    machine: str
    reference_is: str = ""
    target: str = ""
    met: bool | None = None


def result(name: str, scale: str, ours: float, reference: float | None, unit: str, machine: str,
           reference_is: str, target: str = "", met: bool | None = None) -> Result:
    ratio = round(ours / reference, 4) if reference else None
    return Result(name, scale, round(ours, 3), None if reference is None else round(reference, 3), ratio, unit,
                  machine, reference_is, target, met)


def machine() -> str:
    """What ran the benchmark: CPUs, memory, PostgreSQL, and how busy the machine was."""
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        found = re.search(r"\d+\.\d+", subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout)
        postgres = found.group(0) if found else "?"
    except OSError:
        postgres = "?"
    load = os.getloadavg()[0]
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} × {cpu}, {memory:.0f} GB, "
            f"PostgreSQL {postgres}, Python {platform.python_version()}, load {load:.1f} at start")


def write(results: list[Result], path: Path = RESULTS) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2) + "\n")


def _number(value) -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def table(results: list[Result]) -> str:
    rows = ["| measure | ours | reference | ratio ours/ref | unit | target | met |", "|---|---:|---|---:|---|---|---|"]
    for r in results:
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        reference = f"{_number(r.reference)} ({r.reference_is})" if r.reference is not None else r.reference_is
        rows.append(f"| {r.name} | {_number(r.ours)} | {reference} | {_number(r.ratio)} | {r.unit} | {r.target} | {met} |")
    scale = results[0].scale if results else "?"
    return "\n".join([f"Scale `{scale}` on {results[0].machine if results else '?'}.", "", *rows])


def update_readme(results: list[Result], path: Path = README, marker: str = "results") -> None:
    """Replace the table between the ``marker`` comments of ``bench/README.md``."""
    text = path.read_text()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = f"{start}\n{table(results)}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    path.write_text(text)
