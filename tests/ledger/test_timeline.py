"""The monthly timeline of execution: spending by voucher month, accumulated, against the budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.books import open_book
from ledger.organisations import add_organisation
from ledger.reports import execution_by_organisation, execution_timeline
from ledger.reports.common import CLOSING_PREFIX, ReportError
from ledger.vouchers import VoucherLine
from tests.ledger.test_reports import small_books  # noqa: F401  (the fixture)

D = Decimal


def test_the_street_line_accumulates_to_the_years_figures(small_books):  # noqa: F811
    w = small_books
    line = execution_timeline(w.session, w.street, 2025)
    assert list(line["month"]) == list(range(1, 13)) and set(line["organisation"]) == {w.street.code}
    assert list(line["month_spent"][:6]) == [D("0.00"), D("0.00"), D("1234.56"), D("300.00"), D("500.00"), D("0.00")]
    assert list(line["cumulative_spent"][2:5]) == [D("1234.56"), D("1534.56"), D("2034.56")]
    assert list(line["execution_rate"][:5]) == [D("0.00"), D("0.00"), D("7.26"), D("9.02"), D("11.96")]
    year = execution_by_organisation(w.session, w.street, 2025, level="street").iloc[0]
    december = line.iloc[-1]
    assert (december.cumulative_spent, december.execution_rate) == (year.spent, year.execution_rate)


def test_by_community_and_cut_short(small_books):  # noqa: F811
    w = small_books
    line = execution_timeline(w.session, w.street, 2025, level="community", months=4)
    assert len(line) == 2 * 4
    q1 = line[line["organisation"] == w.community.code]
    assert list(q1["cumulative_spent"]) == [D("0.00"), D("0.00"), D("1234.56"), D("1534.56")]
    assert q1.iloc[-1].execution_rate == D("10.23")  # 1,534.56 of 15,000
    with pytest.raises(ReportError):
        execution_timeline(w.session, w.street, 2025, months=13)


def _spent_by_hand(session, level: str, fiscal_year: int) -> dict[tuple[str, int], Decimal]:
    """Budget spending per (organisation at ``level``, voucher month), summed line by line in Python."""
    spent: dict[tuple[str, int], Decimal] = {}
    for line in session.scalars(select(VoucherLine)):
        voucher, owner = line.voucher, line.organisation
        if voucher.status != "posted" or voucher.book.fiscal_year != fiscal_year:
            continue
        if (voucher.idempotency_key or "").startswith(CLOSING_PREFIX) or line.account.category != "budget_expenditure":
            continue
        group = owner.ancestor_at(level)
        if group is not None:
            key = (group.code, voucher.period)
            spent[key] = spent.get(key, D("0.00")) + line.debit - line.credit
    return spent


def test_every_level_matches_the_lines_summed_by_hand(small_books):  # noqa: F811
    """Communities whose codes share a prefix (Q1, Q10), a second street and a street's own
    book: each month's spending is that of the lines below each organisation, no more."""
    w = small_books
    q10 = add_organisation(w.session, "Q10", "春华十社区", "community", w.street)
    other_street = add_organisation(w.session, "S2", "秋实街道", "street", w.street.parent)
    q3 = add_organisation(w.session, "Q3", "秋实一社区", "community", other_street)
    for owner, amount, day in ((q10, "70.10", dt.date(2025, 6, 2)), (q3, "33.33", dt.date(2025, 3, 9)),
                               (w.street, "250.00", dt.date(2025, 3, 20))):
        book = open_book(w.session, owner, 2025)
        w.allocate("1000", book=book)
        w.spend(w.project(f"P-{owner.code}", amount="900", community=owner), amount, book=book, on=day)
        w.spend(w.project(f"U-{owner.code}", amount="900", community=owner), "1.00", book=book, on=day, post=False)
    for level in ("city", "district", "street", "community"):
        by_hand = _spent_by_hand(w.session, level, 2025)
        line = execution_timeline(w.session, w.city, 2025, level=level)
        year = execution_by_organisation(w.session, w.city, 2025, level=level)
        assert list(line["organisation"].unique()) == list(year["organisation"])
        for row in line.itertuples(index=False):
            assert row.month_spent == by_hand.get((row.organisation, row.month), D("0.00")), (level, row)
        december = line[line["month"] == 12].set_index("organisation")["cumulative_spent"]
        assert dict(december) == dict(zip(year["organisation"], year["spent"]))
    by_community = execution_timeline(w.session, w.city, 2025, level="community")
    june = by_community[by_community["month"] == 6].set_index("organisation")["month_spent"]
    assert (june["Q10"], june["Q1"]) == (D("70.10"), D("0.00"))  # Q10's lines are not Q1's
    streets = execution_timeline(w.session, w.city, 2025, level="street")
    march = streets[streets["month"] == 3].set_index("organisation")["month_spent"]
    assert (march["S1"], march["S2"]) == (D("1484.56"), D("33.33"))  # 1,234.56 of Q1 + the street's 250
