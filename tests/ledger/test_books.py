"""Chart of accounts, books and periods."""

import datetime as dt

import pytest

from ledger.accounts import ChartError, add_account, seed_default_chart
from ledger.books import BookError, PeriodClosed, open_book
from ledger.periods import close_period
from ledger.rules import LineError

YEAR = 2025  # the year of the ``world`` fixture's book


def test_default_chart_derives_basis_and_side_from_the_category(world):
    chart = world.book.chart
    assert len(chart.accounts) == 23
    cash, quota_revenue, fund_balance = chart.account("1001"), chart.account("6001"), chart.account("8001")
    assert (cash.name, cash.basis, cash.normal_side) == ("库存现金", "financial", "debit")
    assert (quota_revenue.basis, quota_revenue.category, quota_revenue.normal_side) == (
        "budget", "budget_revenue", "credit")
    assert (fund_balance.category, fund_balance.normal_side) == ("fund_balance", "credit")
    assert seed_default_chart(world.session, world.city) is chart  # seeding twice is harmless


def test_sub_account_inherits_category_and_must_extend_the_code(world):
    chart = world.book.chart
    expense = chart.account("5001")
    sub = add_account(world.session, chart, "500101", "活动费", parent=expense)
    assert (sub.category, sub.basis, sub.parent) == ("expense", "financial", expense)
    with pytest.raises(ChartError, match="must extend its parent's code 5001"):
        add_account(world.session, chart, "510101", "错", parent=expense)
    with pytest.raises(ChartError, match="Category 'gains' is unknown"):
        add_account(world.session, chart, "9001", "错", category="gains")


def test_posting_to_an_account_with_sub_accounts_is_refused(world):
    add_account(world.session, world.book.chart, "500101", "活动费", parent=world.book.account("5001"))
    world.allocate("1000")
    project = world.project()
    before = world.counts()
    with pytest.raises(LineError, match="account 5001 has sub-accounts"):
        world.spend(project, "10", post=False)
    assert world.counts() == before
    world.spend(project, "10", expense_account="500101")  # the sub-account is fine


def test_a_book_per_organisation_and_year(world):
    with pytest.raises(BookError, match="Books Q1/2025 are already open"):
        open_book(world.session, world.community, YEAR)
    with pytest.raises(BookError, match="not a city"):
        open_book(world.session, world.city, YEAR)
    pool = open_book(world.session, world.street, YEAR)
    assert pool.label == "S1/2025" and [p.month for p in pool.periods] == list(range(1, 13))


def test_periods_close_in_order_and_only_when_everything_is_posted(world):
    with pytest.raises(BookError, match="2025-01 must be closed before 2025-02"):
        close_period(world.session, world.book, 2, by=world.poster)
    world.allocate("100", post=False)  # dated in January, still a draft
    with pytest.raises(BookError, match="2025-01 still has 1 unposted vouchers"):
        close_period(world.session, world.book, 1, by=world.poster)
    world.post(_only_voucher(world))
    period = close_period(world.session, world.book, 1, by=world.poster)
    assert period.is_closed and period.closed_by is world.poster
    with pytest.raises(BookError, match="already closed"):
        close_period(world.session, world.book, 1, by=world.poster)


def _only_voucher(world):
    from sqlalchemy import select

    from ledger.vouchers import Voucher

    return world.session.scalars(select(Voucher)).one()


def test_a_closed_period_takes_no_new_voucher(world):
    close_period(world.session, world.book, 1, by=world.poster)
    before = world.counts()
    with pytest.raises(PeriodClosed, match="Period 2025-01 of books Q1/2025 is closed: no posting dated 2025-01-20"):
        world.allocate("100", on=dt.date(YEAR, 1, 20))
    assert world.counts() == before


def test_a_reviewed_but_unposted_voucher_also_blocks_the_close(world):
    from ledger.posting import review_voucher

    close_period(world.session, world.book, 1, by=world.poster)
    allocation = world.allocate("100", on=dt.date(YEAR, 2, 1), post=False)
    review_voucher(world.session, allocation.voucher, by=world.reviewer)
    with pytest.raises(BookError, match="2025-02 still has 1 unposted"):
        close_period(world.session, world.book, 2, by=world.poster)


def test_posting_into_a_period_closed_after_review_is_refused(world):
    from ledger.posting import post_voucher, review_voucher

    allocation = world.allocate("100", on=dt.date(YEAR, 1, 5), post=False)
    review_voucher(world.session, allocation.voucher, by=world.reviewer)
    # Close January behind the reviewer's back, as another clerk's request would.
    world.book.period(1).closed_at, world.book.period(1).closed_by = dt.datetime.now(dt.timezone.utc), world.poster
    world.session.flush()
    with pytest.raises(PeriodClosed, match="2025-01 of books Q1/2025 is closed"):
        post_voucher(world.session, allocation.voucher, by=world.poster)
    assert allocation.voucher.status == "reviewed" and allocation.voucher.number is None


def test_date_outside_the_fiscal_year_is_refused(world):
    with pytest.raises(BookError, match="Date 2026-01-02 is outside fiscal year 2025 of books Q1/2025"):
        world.allocate("100", on=dt.date(YEAR + 1, 1, 2))
