"""Reports: trial balance, ledgers, budget execution and their CSV and Excel files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from ledger.books import open_book
from ledger.organisations import add_organisation
from ledger.posting import reverse_voucher
from ledger.reports import (
    Rounding, community_overview, execution_by_organisation, execution_by_project,
    execution_by_purpose, execution_by_source, general_ledger, is_balanced, subsidiary_ledger,
    to_csv_bytes, to_xlsx_bytes, totals, trial_balance, trial_balances, with_totals,
)
from ledger.reports.common import ReportError

D = Decimal


@pytest.fixture
def small_books(world):
    """Q1: 10,000 district + 5,000 city in; 1,234.56 and 300.00 out. Q2: 2,000 in, 500 out."""
    world.allocate("10000.00", source="district", on=dt.date(2025, 1, 10))
    world.allocate("5000.00", source="city", on=dt.date(2025, 2, 10))
    p1 = world.project("P1", amount="3000", purpose_code="care")
    p2 = world.project("P2", amount="1000", purpose_code="culture")
    world.spend(p1, "1234.56", on=dt.date(2025, 3, 5))
    world.spend(p2, "300.00", source="city", on=dt.date(2025, 4, 1))
    q2_book = open_book(world.session, world.neighbour, 2025)
    world.allocate("2000", book=q2_book)
    p3 = world.project("P3", amount="800", community=world.neighbour)
    world.spend(p3, "500", book=q2_book, on=dt.date(2025, 5, 6))
    return world


def row(frame, column, value):
    return frame[frame[column] == value].iloc[0]


def test_trial_balance_of_a_book_matches_the_hand_figures(small_books):
    w = small_books
    tb = trial_balance(w.session, w.book, basis="financial")
    assert is_balanced(tb)
    assert list(tb["account"]) == ["1011", "4001", "4601", "5001"]
    cash = row(tb, "account", "1011")
    assert (cash.debit, cash.credit, cash.closing_debit) == (D("15000.00"), D("1534.56"), D("13465.44"))
    assert row(tb, "account", "5001").closing_debit == D("1534.56")
    assert row(tb, "account", "4001").closing_credit == D("10000.00")
    assert totals(tb)["debit"] == D("16534.56")
    budget = trial_balance(w.session, w.book, basis="budget")
    assert is_balanced(budget)
    assert row(budget, "account", "8001").closing_debit == D("13465.44")
    assert row(budget, "account", "7101").closing_debit == D("1534.56")


def test_trial_balance_months_split_opening_and_movements(small_books):
    tb = trial_balance(small_books.session, small_books.book, months=(3, 4))
    cash = row(tb, "account", "1011")
    assert (cash.opening_debit, cash.debit, cash.credit, cash.closing_debit) == (
        D("15000.00"), D("0.00"), D("1534.56"), D("13465.44"))
    assert "4001" in set(tb["account"]) and is_balanced(tb)


def test_trial_balance_of_a_street_adds_its_communities(small_books):
    w = small_books
    tb = trial_balance(w.session, w.street, 2025)
    assert is_balanced(tb)
    assert row(tb, "account", "1011").closing_debit == D("14965.44")
    assert trial_balance(w.session, w.city, 2025).equals(tb)
    assert trial_balance(w.session, w.street, 2024).empty
    assert with_totals(tb).iloc[-1]["account"] == "合计"


def test_both_trial_balances_from_one_query_are_each_bases_own(small_books):
    w = small_books
    for scope, year in ((w.book, None), (w.street, 2025), (w.street, 2024)):
        for months in ((1, 12), (3, 4)):
            both = trial_balances(w.session, scope, year, months=months)
            assert sorted(both) == ["budget", "financial"]
            for basis, frame in both.items():
                assert frame.equals(trial_balance(w.session, scope, year, basis=basis, months=months))
    both = trial_balances(w.session, w.street, 2025)
    assert "1011" in set(both["financial"]["account"]) and "1011" not in set(both["budget"]["account"])
    assert is_balanced(both["financial"]) and is_balanced(both["budget"])
    with pytest.raises(ReportError):
        trial_balances(w.session, w.book, months=(5, 2))


def test_trial_balance_refuses_a_wrong_basis_or_months(small_books):
    with pytest.raises(ReportError, match="Basis 'cash' is unknown"):
        trial_balance(small_books.session, small_books.book, basis="cash")
    with pytest.raises(ReportError, match="Months 5 to 2"):
        trial_balance(small_books.session, small_books.book, months=(5, 2))


def test_subsidiary_ledger_runs_its_balance_in_date_and_number_order(small_books):
    w = small_books
    ledger = subsidiary_ledger(w.session, w.book, "1011")
    assert list(ledger["number"]) == [1, 2, 3, 4]
    assert list(ledger["balance"]) == [D("10000.00"), D("15000.00"), D("13765.44"), D("13465.44")]
    assert list(ledger["side"]) == ["借"] * 4
    revenue = subsidiary_ledger(w.session, w.street, "4001", 2025)
    assert list(revenue["organisation"]) == ["Q1", "Q2"]
    assert list(revenue["balance"]) == [D("-10000.00"), D("-12000.00")] and revenue["side"].iloc[-1] == "贷"
    care = subsidiary_ledger(w.session, w.book, "5001", purpose="care")
    assert list(care["debit"]) == [D("1234.56")] and list(care["project"]) == ["P1"]
    assert list(subsidiary_ledger(w.session, w.book, "7101", source="city")["debit"]) == [D("300.00")]
    assert subsidiary_ledger(w.session, w.book, "7101", project="P3").empty
    with pytest.raises(ReportError, match="Account 9999 does not exist"):
        subsidiary_ledger(w.session, w.book, "9999")


def test_general_ledger_gives_every_month(small_books):
    gl = general_ledger(small_books.session, small_books.book, "1011")
    assert len(gl) == 12
    assert list(gl["closing"][:5]) == [D("10000.00"), D("15000.00"), D("13765.44"), D("13465.44"), D("13465.44")]
    assert gl.iloc[11].closing == D("13465.44") and gl.iloc[1].opening == D("10000.00")


def test_execution_by_community_street_and_district(small_books):
    w = small_books
    add_organisation(w.session, "Q3", "春华三社区", "community", w.street)  # idle: no books at all
    by_community = execution_by_organisation(w.session, w.street, 2025)
    assert list(by_community["organisation"]) == ["Q1", "Q2", "Q3"]
    q1 = row(by_community, "organisation", "Q1")
    assert (q1.allocated, q1.arrived, q1.spent, q1.balance) == (
        D("15000.00"), D("15000.00"), D("1534.56"), D("13465.44"))
    assert q1.execution_rate == D("10.23")  # 10.2304 %
    assert row(by_community, "organisation", "Q3").execution_rate is None
    street = execution_by_organisation(w.session, w.city, 2025, level="street")
    assert street.iloc[0].spent == D("2034.56") and street.iloc[0].execution_rate == D("11.96")  # 11.968
    half_up = execution_by_organisation(w.session, w.city, 2025, level="district", rounding=Rounding("half_up"))
    assert half_up.iloc[0].execution_rate == D("11.97")
    assert execution_by_organisation(w.session, w.city, 2025, level="city").iloc[0].allocated == D("17000.00")
    with pytest.raises(ReportError, match="cannot be broken down by district"):
        execution_by_organisation(w.session, w.street, 2025, level="district")


def test_an_allocation_counts_once_posted_and_no_longer_once_reversed(small_books):
    w = small_books

    def q1():
        return row(execution_by_organisation(w.session, w.street, 2025), "organisation", "Q1")

    before = q1()
    draft = w.allocate("999999999.99", source="other", post=False)  # nobody reviewed it yet
    assert (q1().allocated, q1().arrived, q1().execution_rate) == (
        before.allocated, before.arrived, before.execution_rate)
    w.post(draft.voucher)
    assert q1().allocated == before.allocated + D("999999999.99")
    w.post(reverse_voucher(w.session, draft.voucher, by=w.clerk))
    assert (q1().allocated, q1().arrived) == (before.allocated, before.arrived)


def test_execution_as_of_a_date_counts_what_had_arrived(small_books):
    w = small_books
    early = execution_by_organisation(w.session, w.street, 2025, as_of=dt.date(2025, 1, 31))
    q1 = row(early, "organisation", "Q1")
    assert (q1.allocated, q1.arrived, q1.spent) == (D("10000.00"), D("10000.00"), D("0.00"))


def test_execution_by_source_purpose_and_project(small_books):
    w = small_books
    sources = execution_by_source(w.session, w.street, 2025)
    district = row(sources, "source", "district")
    assert (district.allocated, district.spent, district.balance) == (D("12000.00"), D("1734.56"), D("10265.44"))
    purposes = execution_by_purpose(w.session, w.street, 2025)
    assert dict(zip(purposes["purpose"], purposes["spent"])) == {
        "care": D("1234.56"), "convenience": D("500.00"), "culture": D("300.00")}
    assert list(purposes["share"]) == [D("60.67"), D("24.57"), D("14.74")]  # truncated
    projects = execution_by_project(w.session, w.street, 2025)
    p1 = row(projects, "project", "P1")
    assert (p1.approved, p1.spent, p1.balance, p1.execution_rate) == (
        D("3000.00"), D("1234.56"), D("1765.44"), D("41.15"))


def test_a_street_report_shows_each_communitys_income_spending_by_purpose_and_balance(small_books):
    overview = community_overview(small_books.session, small_books.street, 2025)
    assert list(overview.columns) == [
        "organisation", "name", "income", "便民服务", "关爱帮扶", "居民文体活动", "spent", "balance"]
    q1, q2 = overview.iloc[0], overview.iloc[1]
    assert (q1.income, q1["关爱帮扶"], q1["居民文体活动"], q1["便民服务"], q1.balance) == (
        D("15000.00"), D("1234.56"), D("300.00"), D("0.00"), D("13465.44"))
    assert (q2.income, q2["便民服务"], q2.spent, q2.balance) == (
        D("2000.00"), D("500.00"), D("500.00"), D("1500.00"))


@pytest.fixture
def beijing_street(world):
    """The published case: 23 communities, 400,000 each (city and district 1:1)."""
    spent_each = [D("390783.71")] * 22 + [D("390783.62")]
    for index, amount in enumerate(spent_each, start=1):
        community = add_organisation(world.session, f"B{index:02d}", f"社区{index}", "community", world.street)
        book = open_book(world.session, community, 2025)
        world.allocate("200000", source="city", book=book)
        world.allocate("200000", source="district", book=book)
        project = world.project(f"B{index:02d}-1", amount="400000", community=community)
        world.spend(project, "200000", source="district", book=book)
        world.spend(project, amount - 200000, source="city", book=book)
    return world


def test_the_published_execution_rate_is_reproduced(beijing_street):
    w = beijing_street
    street = execution_by_organisation(w.session, w.city, 2025, level="street")
    s = street.iloc[0]
    assert (s.allocated, s.spent) == (D("9200000.00"), D("8988025.24"))
    assert s.execution_rate == D("97.69")
    half_up = execution_by_organisation(w.session, w.city, 2025, level="street", rounding=Rounding("half_up"))
    assert half_up.iloc[0].execution_rate == D("97.70")
    one_place = execution_by_organisation(w.session, w.city, 2025, level="street", rounding=Rounding(places=1))
    assert one_place.iloc[0].execution_rate == D("97.6")
    communities = execution_by_organisation(w.session, w.street, 2025)
    assert len(communities) == 25 and row(communities, "organisation", "B01").execution_rate == D("97.69")


def test_csv_and_xlsx_read_back_with_the_same_figures(beijing_street):
    w = beijing_street
    frame = execution_by_organisation(w.session, w.street, 2025)
    csv_bytes = to_csv_bytes(frame)
    assert csv_bytes.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(csv_bytes), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns[:4]) == ["单位", "名称", "下达金额", "到位金额"]
    b01 = back[back["单位"] == "B01"].iloc[0]
    assert (b01["支出金额"], b01["预算执行率(%)"]) == ("390783.71", "97.69")
    english = pd.read_csv(io.BytesIO(to_csv_bytes(frame, chinese=False)), encoding="utf-8-sig", dtype=str)
    assert english.columns[0] == "organisation"

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, sheet="执行")))
    sheet = workbook["执行"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["单位", "名称", "下达金额"] and sheet["A1"].font.bold
    spent_cell = sheet.cell(row=3, column=header.index("支出金额") + 1)
    assert D(str(spent_cell.value)) == D("390783.71") and spent_cell.number_format == "#,##0.00"
    rate_cell = sheet.cell(row=3, column=header.index("预算执行率(%)") + 1)
    assert D(str(rate_cell.value)) == D("97.69") and rate_cell.number_format == "0.00"
    read = pd.read_excel(io.BytesIO(to_xlsx_bytes(frame)))
    assert round(read["支出金额"].sum(), 2) == 8988025.24


def test_a_trial_balance_exports_with_its_totals(small_books):
    tb = with_totals(trial_balance(small_books.session, small_books.book))
    read = pd.read_excel(io.BytesIO(to_xlsx_bytes(tb)), dtype={"科目编码": str})
    assert read.iloc[-1]["科目编码"] == "合计" and round(read.iloc[-1]["借方"], 2) == 16534.56
