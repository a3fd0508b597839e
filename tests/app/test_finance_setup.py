"""What the finance tests need beyond the demo city: a chart, dimensions, books, a second
clerk and an approved project. Idempotent, so it also runs on top of a fuller demo world.

Imported by the other finance test modules (``from tests.app.test_finance_setup import fin``)
and by the access matrix (``tests/app/access/finance.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.auth.operations import create_user
from app.demo import DEMO_PASSWORD
from ledger.accounts import seed_default_chart
from ledger.books import Book, open_book
from ledger.dimensions import funding_source, purpose, seed_default_dimensions
from ledger.organisations import Organisation, by_code
from ledger.projects import LedgerProject
from ledger.project_budgets import open_project_budget, open_spending
from ledger.users import User

YEAR = dt.date.today().year


def user(session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def helper_user(session, username: str) -> User:
    """A ledger user without a login (prepares the vouchers the tests start from)."""
    found = user(session, username)
    if found is None:
        found = User(username=username, display_name=username)
        session.add(found)
        session.flush()
    return found


def book_of(session, community_code: str, year: int = YEAR) -> Book:
    """The community's book for ``year``, with its city's chart and dimensions seeded."""
    org = by_code(session, community_code)
    city = org.ancestor_at("city")
    seed_default_chart(session, city)
    seed_default_dimensions(session, city)
    book = session.scalar(select(Book).where(Book.organisation_id == org.id, Book.fiscal_year == year))
    return book or open_book(session, org, year)


def project_of(session, community_code: str, code: str = "FIN-T1", amount: str = "1000.00") -> LedgerProject:
    org = by_code(session, community_code)
    found = session.scalar(select(LedgerProject).where(
        LedgerProject.organisation_id == org.id, LedgerProject.code == code))
    if found is None:
        found = open_project_budget(session, org, code, f"便民服务项目 {code}",
                                    purpose(session, org.ancestor_at("city"), "convenience"), amount)
        open_spending(session, found)
    return found


@dataclass
class Fin:
    book: Book
    sibling_book: Book
    project: LedgerProject


def build(session) -> Fin:
    if user(session, "finance2-s0101") is None:
        create_user(session, "finance2-s0101", "春华街道财务二", DEMO_PASSWORD, role="street_finance",
                    org=by_code(session, "S0101"), fast_hash=True)
    fin = Fin(book_of(session, "Q010101"), book_of(session, "Q010102"), project_of(session, "Q010101"))
    session.commit()
    return fin


@pytest.fixture
def fin(world, session) -> Fin:
    return build(session)


def spending_lines(amount: str, project: str = "FIN-T1", purpose_code: str = "convenience", memo: str = "") -> dict:
    """Form data of the four lines of a project payment from district money."""
    tags = {"project": project, "purpose": purpose_code, "source": "district"}
    lines = [
        {"account": "5001", "debit": amount, "memo": memo, **tags},
        {"account": "1011", "credit": amount, "source": "district"},
        {"account": "7101", "debit": amount, "memo": memo, **tags},
        {"account": "8001", "credit": amount, "source": "district"},
    ]
    data = {}
    for i, line in enumerate(lines):
        for name in ("account", "debit", "credit", "project", "purpose", "source", "memo"):
            data[f"lines-{i}-{name}"] = line.get(name, "")
    return data


def test_the_setup_is_idempotent(world, session):
    first = build(session)
    again = build(session)
    assert first.book.id == again.book.id and first.project.id == again.project.id
    assert first.book.organisation.code == "Q010101"
    assert funding_source(session, "district") is not None
    assert session.scalar(select(Organisation).where(Organisation.code == "S0101")) is not None
