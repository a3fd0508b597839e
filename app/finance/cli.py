"""``flask ledger ...`` and ``flask report ...``: the books from the command line.

Every command opens one transaction and commits only when everything succeeded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.beancount_export import export_beancount
from ledger.books import Book
from ledger.clerks import Clerks
from ledger.errors import DomainError
from ledger.imports import import_allocations, import_opening_balances, import_vouchers
from ledger.organisations import Organisation, by_code
from ledger.reports.common import Rounding
from ledger.reports.execution import (
    execution_by_organisation, execution_by_project, execution_by_purpose, execution_by_source,
)
from ledger.reports.export import to_csv_bytes, to_xlsx_bytes
from ledger.retry import run_transaction
from ledger.users import User, named
from ledger.verify import verify

from ..cli_imports import commit_import
from ..extensions import db

ledger_group = AppGroup("ledger", help="The books: import, verify, export.")
report_group = AppGroup("report", help="Reports on the books.")

IMPORTS = {"opening": import_opening_balances, "allocations": import_allocations, "vouchers": import_vouchers}


def _organisation(code: str) -> Organisation:
    org = by_code(db.session, code)
    if org is None:
        raise click.ClickException(f"no organisation with code {code}")
    return org


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(named(username), User.is_active.is_(True)))
    if user is None:
        raise click.ClickException(f"no active user {username}")
    return user


@ledger_group.command("import-targets")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "username", required=True, help="User name of the street finance clerk who sets them.")
def ledger_import_targets(file: Path, username: str):
    """Set planned budgets (预算指标) from a CSV: community,fiscal_year,source,amount[,reference,reason]."""
    from ledger.targets import import_targets_csv

    targets, errors = import_targets_csv(db.session, file.read_text(encoding="utf-8-sig"), _user(username))
    if errors:
        db.session.rollback()
        for line, message in errors:
            click.echo(f"line {line}: {message}", err=True)
        raise click.ClickException(f"nothing imported: {len(errors)} wrong row(s)")
    db.session.commit()
    click.echo(f"{len(targets)} planned budget(s) in force")


@ledger_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(sorted(IMPORTS)), required=True,
              help="What the file holds (docs/IMPORT.md describes each).")
@click.option("--preparer", required=True, help="User name of the clerk who prepares (制单).")
@click.option("--reviewer", required=True, help="User name of the clerk who reviews (审核).")
@click.option("--poster", required=True, help="User name of the clerk who posts (记账).")
def ledger_import(file: Path, kind: str, preparer: str, reviewer: str, poster: str):
    """Import FILE (CSV or .xlsx): all of it, or nothing with every wrong row listed."""
    clerks = Clerks(_user(preparer), _user(reviewer), _user(poster))
    data = file.read_bytes()
    try:
        # Run again after a serialization failure or deadlock. A refused file has already been
        # rolled back by the import (its savepoint), so the commit of run_transaction commits nothing.
        report = run_transaction(db.session, lambda: IMPORTS[kind](db.session, data, file.name, clerks))
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message)
    commit_import(file, report)
    click.echo(f"imported {file.name}: {report.created} voucher(s) posted")


@ledger_group.command("verify")
@click.option("--org", "org_code", help="Only the books of this organisation and below.")
def ledger_verify(org_code: str | None):
    """Recompute every book's hash chain, balances, numbering and budget totals; exit 1 on any break."""
    books = [None]
    if org_code:
        org = _organisation(org_code)
        books = db.session.scalars(
            select(Book).join(Book.organisation).where(Organisation.path.startswith(org.path, autoescape=True))
        ).all()
    problems = [p for book in books for p in verify(db.session, book)] if books else []
    db.session.rollback()  # read only
    for problem in problems:
        click.echo(f"{problem.book}: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo("every book verified: chains intact, vouchers balanced, numbering without gaps, "
               "budget totals equal to the lines")


@ledger_group.command("export-beancount")
@click.option("--org", "org_code", required=True, help="Organisation whose books to export.")
@click.option("--year", type=int, help="Only this fiscal year.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
def ledger_export_beancount(org_code: str, year: int | None, output: Path | None):
    """Write the posted vouchers as a Beancount ledger that bean-check accepts."""
    text = export_beancount(db.session, _organisation(org_code), year)
    db.session.rollback()
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


LEVEL_BREAKDOWNS = ("district", "street", "community")


@report_group.command("execution")
@click.option("--year", type=int, required=True)
@click.option("--by", "by", type=click.Choice(LEVEL_BREAKDOWNS + ("purpose", "source", "project")), required=True)
@click.option("--org", "org_code", help="Root of the report (default: the only city).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--rounding", type=click.Choice(["truncate", "half_up"]), default="truncate")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
def report_execution(year, by, org_code, fmt, rounding, output):
    """Budget execution (预算执行): allocated, arrived, spent, balance and rates."""
    root = _organisation(org_code) if org_code else _only_city()
    rounding_rule = Rounding(rounding)
    try:
        if by in LEVEL_BREAKDOWNS:
            frame = execution_by_organisation(db.session, root, year, level=by, rounding=rounding_rule)
        else:
            function = {"purpose": execution_by_purpose, "source": execution_by_source,
                        "project": execution_by_project}[by]
            frame = function(db.session, root, year, rounding=rounding_rule)
    except DomainError as error:
        raise click.ClickException(error.message)
    finally:
        db.session.rollback()
    data = to_csv_bytes(frame) if fmt == "csv" else to_xlsx_bytes(frame, sheet=f"{year}预算执行")
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {output}")
    elif fmt == "xlsx":
        raise click.ClickException("an Excel report needs --output FILE")
    else:
        click.echo(data.decode("utf-8-sig"), nl=False)


def _only_city() -> Organisation:
    cities = db.session.scalars(select(Organisation).where(Organisation.level == "city")).all()
    if len(cities) != 1:
        raise click.ClickException("several cities: name the root with --org CODE")
    return cities[0]
