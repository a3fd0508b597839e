"""The world the API tests share: part of the demo city, a foreign city, books, money,
a project in each community, and a token for every account.

Built with the cores in a few lines rather than with ``load_demo``, so the API tests know
every figure they check and do not depend on how much activity the demo loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.tokens import issue_token
from app.auth.operations import create_user
from app.demo import DEMO_PASSWORD
from ledger.accounts import chart_of, seed_default_chart
from ledger.allocations import record_allocation
from ledger.books import Book, open_book
from ledger.dimensions import funding_source, purpose, seed_default_dimensions
from ledger.organisations import by_code, import_tree_csv
from ledger.posting import post_voucher, review_voucher
from ledger.projects import LedgerProject
from ledger.project_budgets import open_project_budget, open_spending
from ledger.users import User
from workflows.machine import fire
from workflows.needs import add_need
from workflows.projects import Project, create_project

YEAR = 2026
#: A small copy of the demo city's tree and a foreign city, built here rather than with
#: ``load_demo`` so these tests do not depend on how much activity the demo loads.
TREE = """code,name,level,parent_code
DEMO,示范市,city,
D01,河东区,district,DEMO
S0101,春华街道,street,D01
S0102,秋实街道,street,D01
Q010101,春华一社区,community,S0101
Q010102,春华二社区,community,S0101
Q010201,秋实一社区,community,S0102
XDEMO,外市,city,
XD01,外市河东区,district,XDEMO
XS0101,外市春华街道,street,XD01
XQ010101,外市春华一社区,community,XS0101
"""
ACCOUNTS = (
    ("admin", "admin", "DEMO"), ("oversight-d01", "district_oversight", "D01"),
    ("committee-s0101", "street_committee", "S0101"), ("finance-s0101", "street_finance", "S0101"),
    ("finance2-s0101", "street_finance", "S0101"), ("finance3-s0101", "street_finance", "S0101"),
    ("finance-s0102", "street_finance", "S0102"),
    ("secretary-q010101", "community_staff", "Q010101"), ("secretary-q010102", "community_staff", "Q010102"),
    ("finance-xs0101", "street_finance", "XS0101"), ("finance2-xs0101", "street_finance", "XS0101"),
    ("finance3-xs0101", "street_finance", "XS0101"),
    ("secretary-xq010101", "community_staff", "XQ010101"),
)
#: Every token the tests use, by username.
TOKEN_USERS = ("admin", "oversight-d01", "committee-s0101", "finance-s0101", "finance2-s0101", "finance3-s0101",
               "secretary-q010101", "finance-s0102", "finance-xs0101")


def user(session: Session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _ensure_user(session, username, role, code):
    if user(session, username) is None:
        create_user(session, username, username, DEMO_PASSWORD, role=role, org=by_code(session, code),
                    fast_hash=True)


def _book(session, code) -> Book:
    org = by_code(session, code)
    book = session.scalar(select(Book).where(Book.organisation_id == org.id, Book.fiscal_year == YEAR))
    return book or open_book(session, org, YEAR)


@dataclass
class ApiWorld:
    session: Session
    tokens: dict[str, str]
    books: dict[str, int]
    vouchers: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)

    def headers(self, username: str, **extra) -> dict:
        return {"Authorization": f"Bearer {self.tokens[username]}", **extra}


def build_api_world(session: Session) -> ApiWorld:
    report = import_tree_csv(session, TREE)
    assert report.ok, report.errors
    for username, role, code in ACCOUNTS:
        _ensure_user(session, username, role, code)
    for city_code in ("DEMO", "XDEMO"):
        city = by_code(session, city_code)
        if chart_of(session, city) is None:
            seed_default_chart(session, city)
        seed_default_dimensions(session, city)
    books = {code: _book(session, code) for code in ("Q010101", "Q010102", "Q010201", "XQ010101")}
    session.flush()

    world = ApiWorld(session, {}, {code: b.id for code, b in books.items()})
    clerk, reviewer, poster = (user(session, f"finance{n}-s0101") for n in ("", "2", "3"))
    for code, (prep, rev, post) in {
        "Q010101": (clerk, reviewer, poster), "Q010102": (clerk, reviewer, poster),
        "Q010201": (user(session, "finance-s0102"), None, None),
        "XQ010101": tuple(user(session, f"finance{n}-xs0101") for n in ("", "2", "3")),
    }.items():
        allocation = record_allocation(session, books[code], funding_source(session, "district"), "200000.00",
                                       arrived_on=dt.date(YEAR, 1, 10), by=prep, key=f"seed-{code}")
        if rev is not None:
            review_voucher(session, allocation.voucher, by=rev)
            post_voucher(session, allocation.voucher, by=post)
        world.vouchers[code] = allocation.voucher_id

    for code in ("Q010101", "Q010102", "XQ010101"):
        org = by_code(session, code)
        city = org.ancestor_at("city")
        ledger_project = session.scalar(select(LedgerProject).where(
            LedgerProject.organisation_id == org.id, LedgerProject.code == "LP1"))
        if ledger_project is None:
            ledger_project = open_project_budget(session, org, "LP1", "楼道照明", purpose(session, city, "convenience"),
                                                 "50000.00", by=reviewer)
            open_spending(session, ledger_project)
        secretary = user(session, f"secretary-{code.lower()}")
        need = add_need(session, org, channel="visit", received_on=dt.date(YEAR - 1, 10, 8), category="便民设施",
                        description="楼道灯不亮", by=secretary)
        project = create_project(
            session, org, code="API-P1", title="楼道照明改造", project_type="convenience",
            purpose_code="convenience", plan_year=YEAR, responsible_person="王书记", by=secretary,
            budget={"district": "6000.00"}, expected_beneficiaries=120, needs=[need],
        )
        fire(session, project, "draft", by=secretary, role="community_staff")
        world.projects[code] = project.id
        world.needs[code] = need.id

    for username in TOKEN_USERS:
        _, secret = issue_token(session, user(session, username), f"tests {username}")
        world.tokens[username] = secret
    session.commit()
    return world


@pytest.fixture
def api_world(app, session) -> ApiWorld:
    return build_api_world(session)


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_world_has_books_in_both_cities(api_world):
    assert set(api_world.books) == {"Q010101", "Q010102", "Q010201", "XQ010101"}
    assert api_world.session.get(Project, api_world.projects["Q010101"]).state == "drafting"
