"""Factories for the ledger tests: an organisation tree, a chart, a book, three clerks.

``world`` hands a test everything a street's finance office has on day one; its methods
build allocations, projects and payments in a line each, so a test reads like the story
it checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.allocations import record_allocation
from ledger.books import Book, open_book
from ledger.dimensions import funding_source, purpose
from ledger.expenditures import record_expenditure
from ledger.organisations import Organisation
from ledger.overrides import answer_override, ask_override
from ledger.posting import post_voucher, review_voucher
from ledger.projects import LedgerProject
from ledger.project_budgets import open_project_budget, open_spending
from ledger.users import User
from ledger.vouchers import BudgetOverride, Voucher, VoucherLine
from tests.cities import build_city, make_user

YEAR = 2025
DAY = dt.date(YEAR, 3, 15)


@dataclass
class World:
    """One city, one street, two communities, their books and three finance clerks."""

    session: Session
    city: Organisation
    street: Organisation
    community: Organisation
    neighbour: Organisation
    book: Book
    clerk: User  # prepares vouchers (制单)
    reviewer: User  # reviews them (审核)
    poster: User  # posts them (记账)
    committee: User  # allows a posting past a budget limit (the street committee)

    def source(self, code: str = "district"):
        return funding_source(self.session, code)

    def purpose(self, code: str = "convenience"):
        return purpose(self.session, self.city, code)

    def post(self, voucher: Voucher, allowed: str | None = None) -> Voucher:
        """Review and post ``voucher`` with the other two clerks; past a budget limit when
        ``allowed`` (the poster asks with that reason, the committee grants it)."""
        review_voucher(self.session, voucher, by=self.reviewer)
        if allowed is not None:
            self.allow(voucher, allowed)
        return post_voucher(self.session, voucher, by=self.poster)

    def allow(self, voucher: Voucher, reason: str, note: str = "党工委会议同意"):
        """The poster asks to pass the budget limit and the committee grants it."""
        request = ask_override(self.session, voucher, reason, by=self.poster)
        return answer_override(self.session, request, grant=True, note=note, by=self.committee)

    def allocate(self, amount, source: str = "district", on: dt.date = dt.date(YEAR, 1, 10),
                 book: Book | None = None, post: bool = True):
        allocation = record_allocation(
            self.session, book or self.book, self.source(source), amount, arrived_on=on, by=self.clerk
        )
        if post:
            self.post(allocation.voucher)
        return allocation

    def project(self, code: str = "P1", amount="1000.00", by_source=None, purpose_code="convenience",
                community: Organisation | None = None, spending: bool = True) -> LedgerProject:
        shares = {self.source(s): v for s, v in (by_source or {}).items()}
        project = open_project_budget(
            self.session, community or self.community, code, f"项目 {code}",
            self.purpose(purpose_code), amount, by_source=shares or None, by=self.reviewer,
        )
        if spending:
            open_spending(self.session, project)
        return project

    def spend(self, project: LedgerProject, amount, source: str = "district", on: dt.date = DAY,
              post: bool = True, allowed: str | None = None, book: Book | None = None, **options) -> Voucher:
        voucher = record_expenditure(
            self.session, book or self.book, project, self.source(source), amount, on,
            f"支付 {project.code}", by=self.clerk, **options,
        )
        if post:
            self.post(voucher, allowed=allowed)
        return voucher

    def counts(self) -> tuple[int, int, int, int]:
        """Vouchers, lines, posted vouchers and overrides: to show nothing was written."""
        count = lambda q: self.session.scalar(q)  # noqa: E731
        return (
            count(select(func.count(Voucher.id))),
            count(select(func.count(VoucherLine.id))),
            count(select(func.count(Voucher.id)).where(Voucher.status == "posted")),
            count(select(func.count(BudgetOverride.id))),
        )


def build_world(session: Session) -> World:
    town = build_city(session)
    book = open_book(session, town.community, YEAR)
    return World(
        session, town.city, town.street, town.community, town.neighbour, book,
        make_user(session, "clerk"), make_user(session, "reviewer"), make_user(session, "poster"),
        make_user(session, "committee"),
    )


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def make_world():
    """``build_world`` itself, for tests that manage their own sessions (Hypothesis, threads)."""
    return build_world
