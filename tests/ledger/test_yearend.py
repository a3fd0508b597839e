"""The year-end close (年终结账): closing vouchers, carry-over or return, next year's opening."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ledger.books import PeriodClosed, open_book

from ledger.periods import close_period
from ledger.posting import VoucherStateError, reverse_voucher
from ledger.clerks import Clerks
from ledger.budget import BudgetExceeded
from ledger.figures import budget_figures, project_spent, source_received, source_spent
from ledger.reports import is_balanced, trial_balance
from ledger.verify import verify
from ledger.yearend import YearEndError, close_year

D = Decimal


@pytest.fixture
def year(world):
    """Q1 in 2025: 10,000 district and 5,000 city money in, 1,234.56 spent on P1."""
    world.allocate("10000", source="district")
    world.allocate("5000", source="city")
    world.project_p1 = world.project("P1", amount="3000")
    world.spend(world.project_p1, "1234.56", on=dt.date(2025, 6, 1))
    world.clerks = Clerks(world.clerk, world.reviewer, world.poster)
    return world


def balances(frame):
    """Account -> closing balance, debit-positive."""
    return {r.account: r.closing_debit - r.closing_credit for r in frame.itertuples() if
            r.closing_debit or r.closing_credit}


def test_carry_over_closes_the_year_and_opens_the_next_with_its_balances(year):
    w = year
    result = close_year(w.session, w.book, w.clerks)
    assert [v.description for v in result.vouchers] == ["年终结账：收入支出结转", "年终结账：本期盈余转入累计盈余"]
    assert all(p.is_closed for p in w.book.periods)
    closed_fin = balances(trial_balance(w.session, w.book, basis="financial"))
    closed_budget = balances(trial_balance(w.session, w.book, basis="budget"))
    assert closed_fin == {"1011": D("13765.44"), "3001": D("-13765.44")}
    assert closed_budget == {"8001": D("13765.44"), "8101": D("-13765.44")}

    next_book = result.next_book
    assert next_book.fiscal_year == 2026 and result.opening.number == 1
    assert result.opening.date == dt.date(2026, 1, 1)
    for basis, expected in (("financial", closed_fin), ("budget", closed_budget)):
        opening = trial_balance(w.session, next_book, basis=basis)
        assert is_balanced(opening)
        assert {r.account: r.opening_debit - r.opening_credit for r in opening.itertuples()} == expected
    by_source = {(l.account.code, l.funding_source.code): l.amount for l in result.opening.lines}
    assert by_source[("8101", "district")] == D("-8765.44") and by_source[("8101", "city")] == D("-5000.00")
    assert verify(w.session) == []


def test_the_closing_and_opening_vouchers_are_not_reversed_on_their_own(year):
    w = year
    result = close_year(w.session, w.book, w.clerks)
    for voucher in (*result.vouchers, result.opening):
        with pytest.raises(VoucherStateError, match="part of a year-end close or of the opening balances"):
            reverse_voucher(w.session, voucher, by=w.clerk, on=voucher.date)


def test_a_closed_year_refuses_postings(year):
    w = year
    close_year(w.session, w.book, w.clerks)
    with pytest.raises(PeriodClosed, match="Period 2025-12 of books Q1/2025 is closed"):
        w.spend(w.project_p1, "10", on=dt.date(2025, 12, 31))


def test_return_to_the_treasury_gives_back_what_is_left(year):
    w = year
    result = close_year(w.session, w.book, w.clerks, disposition="return")
    assert result.vouchers[-1].description == "财政收回：结余资金上缴"
    assert balances(trial_balance(w.session, w.book, basis="budget")) == {}
    assert balances(trial_balance(w.session, w.book, basis="financial")) == {}
    assert result.next_book.fiscal_year == 2026 and result.opening is None
    assert verify(w.session) == []


def test_closing_twice_does_nothing_more(year):
    w = year
    first = close_year(w.session, w.book, w.clerks)
    before = w.counts()
    again = close_year(w.session, w.book, w.clerks)
    assert again.already_closed and w.counts() == before
    assert [v.id for v in again.vouchers] == [v.id for v in first.vouchers]
    assert again.opening.id == first.opening.id and again.next_book.id == first.next_book.id


def test_a_close_that_fails_writes_nothing(year):
    w = year
    w.spend(w.project_p1, "100", on=dt.date(2025, 11, 2), post=False)  # a draft left behind
    before = w.counts()
    with pytest.raises(YearEndError, match="Books Q1/2025 still have 1 vouchers not posted"):
        close_year(w.session, w.book, w.clerks)
    assert w.counts() == before


def test_a_close_refused_half_way_writes_nothing(year):
    w = year
    next_book = open_book(w.session, w.community, 2026)
    close_period(w.session, next_book, 1, by=w.poster)  # the opening voucher cannot go in
    before = w.counts()
    with pytest.raises(PeriodClosed, match="Period 2026-01 of books Q1/2026 is closed"):
        close_year(w.session, w.book, w.clerks)
    assert w.counts() == before
    assert not any(p.is_closed for p in w.book.periods)
    w.session.expire_all()
    assert not any(p.is_closed for p in w.book.periods)


def test_an_unknown_disposition_is_refused(year):
    with pytest.raises(YearEndError, match="Disposition 'keep' is unknown"):
        close_year(year.session, year.book, year.clerks, disposition="keep")


def test_budget_control_still_sees_last_years_spending_after_the_close(year):
    w = year
    close_year(w.session, w.book, w.clerks)
    assert project_spent(w.session, w.project_p1.id, "budget") == D("1234.56")


def test_carried_money_is_spent_next_year_within_the_project(year):
    w = year
    result = close_year(w.session, w.book, w.clerks)
    w.spend(w.project_p1, "1765.44", on=dt.date(2026, 3, 1), book=result.next_book)  # the rest of P1
    with pytest.raises(BudgetExceeded, match="Project P1 would be overspent"):
        w.spend(w.project_p1, "0.01", on=dt.date(2026, 3, 2), book=result.next_book)


def test_money_given_back_to_the_treasury_cannot_be_spent(year):
    w = year
    result = close_year(w.session, w.book, w.clerks, disposition="return")
    other = w.project("P2", amount="9000")
    with pytest.raises(BudgetExceeded, match="would spend more district money than it received"):
        w.spend(other, "1", on=dt.date(2026, 3, 1), book=result.next_book)
    assert source_received(w.session, w.community.id, w.source("district").id) == D("1234.56")


@pytest.mark.parametrize("disposition", ["carry_over", "return"])
def test_posting_reads_the_same_budget_figures_in_one_query(year, disposition):
    """Posting's one grouped query gives each figure budget control compares exactly as
    the single-figure functions the pages use, closing vouchers and money given back included."""
    w = year
    result = close_year(w.session, w.book, w.clerks, disposition=disposition)
    if disposition == "carry_over":  # spending next year from carried money
        w.spend(w.project_p1, "65.44", on=dt.date(2026, 2, 1), book=result.next_book, source="district")
    org, project = w.community.id, w.project_p1.id
    sources = [w.source("district").id, w.source("city").id]
    figures = budget_figures(w.session, org, [project], sources)
    for basis in ("financial", "budget"):
        assert figures.project_spent(project, basis) == project_spent(w.session, project, basis) == (
            D("1300.00") if disposition == "carry_over" else D("1234.56"))
        for source in sources:
            assert figures.project_spent(project, basis, source) == project_spent(w.session, project, basis, source)
            assert figures.source_spent(source, basis) == source_spent(w.session, org, source, basis)
    for source in sources:
        assert figures.source_received(source) == source_received(w.session, org, source)
    assert figures.source_received(w.source("district").id) == (
        D("10000.00") if disposition == "carry_over" else D("1234.56"))
