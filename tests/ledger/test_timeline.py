"""The monthly timeline of execution: spending by voucher month, accumulated, against the budget."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.reports import execution_by_organisation, execution_timeline
from ledger.reports.common import ReportError
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
