"""The same figures four ways: our reports, a bare SQL GROUP BY, Beancount and hledger.

For one scope (a community, a street or the whole city) and one fiscal year:
* the trial balance, as each account code's net closing balance (debits minus credits,
  summed over the scope's books), on both bases;
* budget execution: allocated, arrived (budget revenue) and spent (budget expenditure).
``compare`` computes them with each tool, times each, and raises ``Disagreement`` when any
figure differs by a fen: a benchmark of wrong figures would be worthless.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Integer, String, bindparam, select, text
from sqlalchemy.orm import Session

from ledger.accounts import Account
from ledger.beancount_export import export_beancount
from ledger.organisations import Organisation
from ledger.reports import execution_by_organisation, trial_balances

from .hledger import journal

ZERO = Decimal("0.00")
HLEDGER = shutil.which("hledger")
#: bean-query of the virtualenv running us (the beanquery package), else the one on PATH.
BEAN_QUERY = str(Path(sys.executable).with_name("bean-query")) if Path(sys.executable).with_name(
    "bean-query").exists() else "bean-query"
BEAN_QUERY_SQL = "SELECT account, sum(number) AS n GROUP BY account"

RAW_TRIAL_BALANCE = """
SELECT a.code, sum(l.debit) - sum(l.credit)
FROM voucher_lines l JOIN vouchers v ON v.id = l.voucher_id JOIN books b ON b.id = v.book_id
JOIN organisations o ON o.id = b.organisation_id JOIN accounts a ON a.id = l.account_id
WHERE v.status = 'posted' AND b.fiscal_year = :year AND {under}
GROUP BY a.code"""
RAW_TRIAL_BALANCE_ALL_YEARS = """
SELECT a.code, sum(l.debit) - sum(l.credit)
FROM voucher_lines l JOIN vouchers v ON v.id = l.voucher_id JOIN books b ON b.id = v.book_id
JOIN organisations o ON o.id = b.organisation_id JOIN accounts a ON a.id = l.account_id
WHERE v.status = 'posted' AND {under}
GROUP BY a.code"""
RAW_ALLOCATED = """
SELECT coalesce(sum(al.amount), 0) FROM allocations al JOIN books b ON b.id = al.book_id
JOIN organisations o ON o.id = b.organisation_id
WHERE b.fiscal_year = :year AND {under}
AND NOT EXISTS (SELECT 1 FROM vouchers r WHERE r.reverses_id = al.voucher_id AND r.status = 'posted')"""


class Disagreement(AssertionError):
    """Two tools gave different figures for the same books."""


@dataclass
class Figures:
    """One tool's figures and the seconds it took."""

    tool: str
    balances: dict[str, Decimal]  # account code -> net debit closing balance (zeros left out)
    execution: dict[str, Decimal] = field(default_factory=dict)  # allocated / arrived / spent
    seconds: float = 0.0


def _nonzero(values: dict) -> dict[str, Decimal]:
    return {code: amount for code, amount in sorted(values.items()) if amount}


def _execution(balances: dict[str, Decimal], categories: dict[str, str]) -> dict[str, Decimal]:
    arrived = -sum((v for c, v in balances.items() if categories[c] == "budget_revenue"), ZERO)
    spent = sum((v for c, v in balances.items() if categories[c] == "budget_expenditure"), ZERO)
    return {"arrived": arrived, "spent": spent}


def _closing(frames) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = {}
    for frame in frames.values():
        for code, debit, credit in zip(frame["account"], frame["closing_debit"], frame["closing_credit"]):
            balances[code] = debit - credit
    return balances


def ours(session: Session, root: Organisation, year: int) -> Figures:
    """Our trial balance (both bases, one query: ``trial_balances``) and execution report."""
    started = time.perf_counter()
    balances = _closing(trial_balances(session, root, year))
    row = execution_by_organisation(session, root, year, level=root.level).iloc[0]
    seconds = time.perf_counter() - started
    execution = {"allocated": row["allocated"], "arrived": row["arrived"], "spent": row["spent"]}
    return Figures("ours", _nonzero(balances), execution, seconds)


def _sql(session: Session, query: str):
    """``query`` with its path-prefix test as a person would write it for the database.

    The scope (path and year) is written into the text, as in ``psql``: sent as parameters,
    the statement is prepared by psycopg after five runs and PostgreSQL may then keep a
    generic plan for it, which at ``city`` scale read the lines through nested index scans
    (1.5–1.7 s instead of 0.55–0.65 s from the eleventh run on): no reference to measure by.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = text(query.format(
        under="starts_with(o.path, :path)" if postgres else "substr(o.path, 1, length(:path)) = :path"))
    scope = [bindparam("path", type_=String(), literal_execute=True)]
    if ":year" in query:
        scope.append(bindparam("year", type_=Integer(), literal_execute=True))
    return statement.bindparams(*scope)


def _sql_money(session: Session, value) -> Decimal:
    if session.get_bind().dialect.name == "sqlite":  # SQLite keeps integer fen (ledger.base.Money)
        return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))
    return Decimal(value or 0).quantize(Decimal("0.01"))


def raw_sql(session: Session, root: Organisation, year: int, categories: dict[str, str]) -> Figures:
    """The hand-written GROUP BY on the same tables."""
    started = time.perf_counter()
    params = {"year": year, "path": root.path}
    rows = session.execute(_sql(session, RAW_TRIAL_BALANCE), params)
    balances = {code: _sql_money(session, value) for code, value in rows}
    allocated = _sql_money(session, session.execute(_sql(session, RAW_ALLOCATED), params).scalar())
    seconds = time.perf_counter() - started
    balances = _nonzero(balances)
    return Figures("sql", balances, {"allocated": allocated, **_execution(balances, categories)}, seconds)


def _by_code(named: dict[str, Decimal]) -> dict[str, Decimal]:
    """Peer balances by account name summed by account code (its last component)."""
    totals: dict[str, Decimal] = {}
    for name, amount in named.items():
        code = name.rsplit(":", 1)[1]
        totals[code] = totals.get(code, ZERO) + amount
    return _nonzero(totals)


def run_timed(command: list[str]) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
    return done.stdout, seconds


def beancount(path: Path, categories: dict[str, str], bean_query: str = BEAN_QUERY) -> Figures:
    """``bean-query`` on our Beancount export: load, check and sum every account."""
    output, seconds = run_timed([bean_query, "-f", "csv", str(path), BEAN_QUERY_SQL])
    named = {row["account"]: Decimal(row["n"].strip()) for row in csv.DictReader(io.StringIO(output))}
    balances = _by_code(named)
    return Figures("beancount", balances, _execution(balances, categories), seconds)


def hledger(path: Path, categories: dict[str, str]) -> Figures:
    """``hledger bal`` on the equivalent journal."""
    output, seconds = run_timed([HLEDGER or "hledger", "-f", str(path), "bal", "--flat", "-O", "csv", "--no-total"])
    named = {}
    for row in csv.DictReader(io.StringIO(output)):
        amount = row["balance"].replace("CNY", "").strip()
        named[row["account"]] = Decimal(amount) if amount not in ("", "0") else ZERO
    balances = _by_code(named)
    return Figures("hledger", balances, _execution(balances, categories), seconds)


def account_categories(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Account.code, Account.category)).all())


def write_peers(session: Session, root: Organisation, year: int, folder: Path) -> tuple[Path, Path, float]:
    """The Beancount export and the hledger journal of the scope; seconds to write both."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    bean = folder / f"{root.code}-{year}.beancount"
    bean.write_text(export_beancount(session, root, year), encoding="utf-8")
    ledger_file = folder / f"{root.code}-{year}.journal"
    ledger_file.write_text(journal(session, root, year), encoding="utf-8")
    return bean, ledger_file, time.perf_counter() - started


def check_agree(results: list[Figures]) -> None:
    """Raise ``Disagreement`` naming the first figure on which two tools differ by a fen."""
    reference = results[0]
    for other in results[1:]:
        if other.balances != reference.balances:
            codes = sorted(set(other.balances) | set(reference.balances))
            wrong = [(c, reference.balances.get(c), other.balances.get(c)) for c in codes
                     if reference.balances.get(c) != other.balances.get(c)]
            raise Disagreement(f"{other.tool} disagrees with {reference.tool} on accounts {wrong[:5]}")
        for key, value in other.execution.items():
            if key in reference.execution and reference.execution[key] != value:
                raise Disagreement(
                    f"{other.tool} says {key} {value}, {reference.tool} says {reference.execution[key]}")


def compare(session: Session, root: Organisation, year: int, folder: Path, peers: bool = True,
            use_hledger: bool | None = None) -> dict[str, Figures]:
    """Every tool's figures for ``root`` and ``year``, checked to agree to the fen."""
    categories = account_categories(session)
    results = [ours(session, root, year), raw_sql(session, root, year, categories)]
    if peers:
        bean, ledger_file, _ = write_peers(session, root, year, folder)
        results.append(beancount(bean, categories))
        if use_hledger if use_hledger is not None else HLEDGER is not None:
            results.append(hledger(ledger_file, categories))
    check_agree(results)
    return {r.tool: r for r in results}


def all_years(session: Session, root: Organisation) -> tuple[float, float]:
    """Seconds of our trial balance (both bases) over every year's books under ``root``, and
    of the bare GROUP BY over the same lines; raises ``Disagreement`` if they differ."""
    def ours_all() -> dict[str, Decimal]:
        return _nonzero(_closing(trial_balances(session, root, None)))

    def bare() -> dict[str, Decimal]:
        rows = session.execute(_sql(session, RAW_TRIAL_BALANCE_ALL_YEARS), {"path": root.path})
        return _nonzero({code: _sql_money(session, value) for code, value in rows})

    timings = []
    for compute in (ours_all, bare):
        compute()  # warm-up
        started = time.perf_counter()
        result = compute()
        timings.append((time.perf_counter() - started, result))
    (ours_s, mine), (bare_s, theirs) = timings
    check_agree([Figures("ours", mine), Figures("sql", theirs)])
    return ours_s, bare_s
