"""Peak memory of one job, measured in a fresh process (``ru_maxrss`` of a child).

``peak_mb(args)`` runs ``python -m bench.memory ARGS`` and returns the child's peak
resident set in MB, with a baseline (the same process importing everything and
connecting, doing nothing) so the job's own share can be read. Jobs:
Linux keeps ``ru_maxrss`` across ``exec``, so a job reads its own ``VmHWM`` instead.
``report URL CODE YEAR`` — the city-wide trial balance on both bases and the execution
report by community (the largest report); ``import URL COUNT`` — a batched import of
COUNT vouchers in one file; ``baseline URL``; ``command ...`` — any program (a peer).
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_mb(*args: str) -> float:
    """Peak RSS (MB) of ``python -m bench.memory ARGS`` (its child, for ``command``)."""
    done = subprocess.run([sys.executable, "-m", "bench.memory", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory job {args[0]} failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _session(url: str):
    import app.models  # noqa: F401
    from sqlalchemy.orm import Session

    from ledger.db import make_engine

    session = Session(make_engine(url))
    session.connection()
    return session


def main(argv: list[str]) -> None:
    job, *args = argv
    if job == "command":
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        return
    session = _session(args[0])
    if job == "report":
        from ledger.organisations import by_code
        from ledger.reports import execution_by_organisation, trial_balances

        root, year = by_code(session, args[1]), int(args[2])
        trial_balances(session, root, year)
        execution_by_organisation(session, root, year, level="community")
    elif job == "import":
        from sqlalchemy import select

        from ledger.books import Book
        from ledger.organisations import Organisation

        from .posting import batch_payments, import_throughput

        year = session.scalar(select(Book.fiscal_year).order_by(Book.fiscal_year.desc()).limit(1))
        communities = list(session.scalars(select(Organisation.code).where(Organisation.level == "community")
                                           .order_by(Organisation.code)))
        import_throughput(session, batch_payments(communities, year, int(args[1]), "memory"))
    print(_high_water_mb())


def _high_water_mb() -> float:
    """This process's peak RSS since its ``exec`` (``ru_maxrss`` would carry the parent's over)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(sys.argv[1:])
