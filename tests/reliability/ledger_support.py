"""Shared by the ledger's reliability tests: books to work on, scratch databases, the CLI.

The tests of this folder prove the guarantees of ``docs/RELIABILITY.md``; each prints a
line ``RELIABILITY <test>: <figures>`` (seen with ``pytest -s``) that the document quotes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from sqlalchemy import case, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ledger.accounts import Account
from ledger.books import Book, open_book
from ledger.clerks import Clerks
from ledger.organisations import Organisation, add_organisation
from ledger.users import User
from ledger.vouchers import POSTED, Voucher, VoucherLine
from tests.conftest import TEST_DATABASE_URL, server_url
from tests.ledger.conftest import YEAR, build_world

ROOT = Path(__file__).resolve().parents[2]


def report(test: str, **figures) -> None:
    """Print the figures of a run, for docs/RELIABILITY.md."""
    print(f"\nRELIABILITY {test}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def build_books(session: Session, communities: int) -> dict:
    """The ledger tests' world with ``communities`` communities, each with a book of YEAR.

    Returns the ids the workers need: ``books`` (by community code) and the three clerks.
    """
    world = build_world(session)
    books = {world.community.code: world.book.id, world.neighbour.code: open_book(session, world.neighbour, YEAR).id}
    for n in range(3, communities + 1):
        community = add_organisation(session, f"Q{n}", f"春华{n}社区", "community", world.street)
        books[community.code] = open_book(session, community, YEAR).id
    session.flush()
    return dict(books=dict(list(books.items())[:communities]), clerk=world.clerk.id,
                reviewer=world.reviewer.id, poster=world.poster.id, world=world)


def clerks(session: Session, ids: dict) -> Clerks:
    """The three clerks of ``build_books``, loaded in ``session``."""
    return Clerks(*(session.get(User, ids[k]) for k in ("clerk", "reviewer", "poster")))


def book_balances(session: Session) -> list[tuple[str, str, Decimal, Decimal]]:
    """(book, basis, debits, credits) of every book's posted lines."""
    return [tuple(row) for row in session.execute(
        select(Organisation.code, Account.basis, func.sum(VoucherLine.debit), func.sum(VoucherLine.credit))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id).join(Book, Book.id == Voucher.book_id)
        .join(Organisation, Organisation.id == Book.organisation_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .where(Voucher.status == POSTED)
        .group_by(Organisation.code, Account.basis).order_by(Organisation.code, Account.basis)
    )]


def trial_balance(session: Session) -> list[tuple]:
    """Net debit of every book, account and funding source: the figures a restore must keep."""
    net = func.sum(VoucherLine.debit) - func.sum(VoucherLine.credit)
    return [tuple(row) for row in session.execute(
        select(Book.id, Book.fiscal_year, Account.code, VoucherLine.funding_source_id, net,
               func.count(VoucherLine.id))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id).join(Book, Book.id == Voucher.book_id)
        .join(Account, Account.id == VoucherLine.account_id).where(Voucher.status == POSTED)
        .group_by(Book.id, Book.fiscal_year, Account.code, VoucherLine.funding_source_id)
        .order_by(Book.id, Account.code, case((VoucherLine.funding_source_id.is_(None), 0), else_=1),
                  VoucherLine.funding_source_id)
    )]


def numbers_by_book(session: Session) -> dict[int, list[int]]:
    """The posted numbers of every book, in order."""
    numbers: dict[int, list[int]] = {}
    for book_id, number in session.execute(
        select(Voucher.book_id, Voucher.number).where(Voucher.status == POSTED).order_by(Voucher.book_id, Voucher.number)
    ):
        numbers.setdefault(book_id, []).append(number)
    return numbers


def cli_env(url: str, instance: Path) -> dict[str, str]:
    """The environment of a ``flask --app wsgi`` process working on database ``url``."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "FLASK_APP")}
    env.update(DATABASE_URL=url, INSTANCE_PATH=str(instance), APP_ENV="development",
               EVIDENCE_FOLDER=str(instance / "evidence"), PYTHONUNBUFFERED="1")
    return env


def flask(args: list[str], url: str, instance: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``flask --app wsgi ARGS`` as its own process, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=cli_env(url, instance),
        capture_output=True, text=True, timeout=timeout,
    )


def admin_engine():
    return create_engine(server_url(TEST_DATABASE_URL, "postgres"), isolation_level="AUTOCOMMIT")


@contextlib.contextmanager
def scratch_database(suffix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    name = f"{make_url(TEST_DATABASE_URL).database}_{suffix}_{uuid.uuid4().hex[:8]}"
    admin = admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url(TEST_DATABASE_URL, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
