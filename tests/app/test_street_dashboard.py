"""The street dashboard: the core's figures on the page and in Excel, idle and concentrated named."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from ledger.base import utcnow
from ledger.organisations import add_organisation, by_code
from ledger.reports import Rounding, community_overview, execution_by_organisation
from tests.app.test_street_support import YEAR, cells, city, project, shown_money, shown_rate  # noqa: F401

RATES = Rounding("truncate", 2)


def test_dashboard_figures_equal_the_core_report(city, session, login_as):
    page = login_as("committee-s0101").get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    street = by_code(session, "S0101")
    frame = execution_by_organisation(session, street, YEAR, "community", rounding=RATES)
    assert len(frame) == 3
    for _, row in frame.iterrows():
        shown = cells(page, "data-org", row["organisation"])
        for column in ("allocated", "arrived", "spent", "balance"):
            assert shown[column] == shown_money(row[column]), (row["organisation"], column)
        for column in ("execution_rate", "arrival_rate"):
            assert shown[column] == shown_rate(row[column]), (row["organisation"], column)
    total = execution_by_organisation(session, street, YEAR, "street", rounding=RATES).iloc[0]
    assert cells(page, "data-org", "S0101")["spent"] == shown_money(total["spent"])
    assert total["spent"] > 0


def test_the_excel_download_holds_the_same_figures(city, session, login_as):
    response = login_as("committee-s0101").get(f"/street/S0101/dashboard.xlsx?year={YEAR}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=S0101-")
    book = load_workbook(io.BytesIO(response.data))
    assert {"合计", "各社区执行情况", "按用途支出", "无活动社区", "支出集中社区", "逾期未推进"} <= set(book.sheetnames)
    sheet = book["各社区执行情况"]
    header = [c.value for c in sheet[1]]
    assert header[:8] == ["单位", "名称", "下达金额", "到位金额", "支出金额", "余额", "预算执行率(%)", "资金到位率(%)"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    frame = execution_by_organisation(session, by_code(session, "S0101"), YEAR, "community", rounding=RATES)
    assert set(rows) == set(frame["organisation"])
    for _, row in frame.iterrows():
        got = rows[row["organisation"]]
        assert [Decimal(str(v)) for v in got[2:6]] == [row[c] for c in ("allocated", "arrived", "spent", "balance")]
        assert Decimal(str(got[6])) == row["execution_rate"]
    assert sheet["C2"].number_format == "#,##0.00"


def test_an_idle_community_is_named_and_an_active_one_is_not(city, session, login_as):
    add_organisation(session, "Q010104", "春华四社区", "community", by_code(session, "S0101"))
    session.commit()
    page = login_as("committee-s0101").get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    assert 'data-idle="Q010104"' in page and "春华四社区" in page
    assert 'data-idle="Q010101"' not in page and 'data-idle="Q010102"' not in page


def test_concentrated_communities_are_named_by_the_threshold(city, session, login_as):
    street = by_code(session, "S0101")
    overview = community_overview(session, street, YEAR)
    purposes = [c for c in overview.columns if c not in {"organisation", "name", "income", "spent", "balance"}]
    expected = set()
    for _, row in overview.iterrows():
        if row["spent"] and max(RATES.percent(row[p], row["spent"]) for p in purposes) > 40:
            expected.add(row["organisation"])
    assert "Q010102" in expected  # the demo's rubbish-removal street (DOMAIN.md, fault 4)
    committee = login_as("committee-s0101")
    page = committee.get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    assert set(re.findall(r'data-concentrated="([^"]+)"', page)) == expected
    relaxed = committee.get(f"/street/S0101?year={YEAR}&share=99").get_data(as_text=True)
    assert 'data-concentrated="Q010102"' not in relaxed


def test_overdue_steps_and_emergencies_are_listed(city, session, login_as):
    late = project(session, "Q010101", "P05")  # drafting allows 60 days
    late.state_since = utcnow() - dt.timedelta(days=75)
    session.commit()
    page = login_as("committee-s0101").get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    overdue = page[page.index('id="overdue"'):page.index('id="emergencies"')]
    assert late.title in overdue and ">15<" in overdue
    emergencies = page[page.index('id="emergencies"'):page.index('id="counts"')]
    assert project(session, "Q010101", "E01").title in emergencies
    assert project(session, "Q020201", "P01").title not in page  # another district's emergency


def test_charts_are_svg_without_script_or_style(city, login_as):
    response = login_as("committee-s0101").get(f"/street/S0101?year={YEAR}")
    page = response.get_data(as_text=True)
    assert page.count("<svg") >= 2 and "<rect" in page
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_dashboard_is_for_the_streets_own_readers(city, login_as):
    assert login_as("committee-s0101").get("/street/S0102").status_code == 404
    assert login_as("committee-s0101").get("/street/XS0101").status_code == 404
    assert login_as("oversight-d01").get(f"/street/S0101?year={YEAR}").status_code == 200
    assert login_as("oversight-d01").get("/street/S0201").status_code == 404
    assert login_as("secretary-q010101").get(f"/street/S0101?year={YEAR}").status_code == 404
    assert login_as("finance-s0101").get(f"/street/S0101?year={YEAR}").status_code == 403


def _month_rows(page: str) -> dict[int, dict[str, str]]:
    return {int(m): cells(page, "data-month", m) for m in re.findall(r'<tr data-month="(\d+)"', page)}


def test_the_monthly_timeline_accumulates_to_the_years_figures(city, session, login_as):
    from app.street.figures import timeline_months
    from ledger.reports import execution_timeline

    page = login_as("committee-s0101").get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    street = by_code(session, "S0101")
    line = execution_timeline(session, street, YEAR, rounding=RATES, months=timeline_months(YEAR))
    shown = _month_rows(page)
    assert sorted(shown) == list(line["month"])
    for _, row in line.iterrows():
        got = shown[row["month"]]
        assert got["cumulative_spent"] == shown_money(row["cumulative_spent"])
        assert got["execution_rate"] == shown_rate(row["execution_rate"])
    total = execution_by_organisation(session, street, YEAR, "street", rounding=RATES).iloc[0]
    last = line.iloc[-1]
    assert (last["cumulative_spent"], last["execution_rate"]) == (total["spent"], total["execution_rate"])
    assert total["spent"] > 0 and line.iloc[0]["cumulative_spent"] < total["spent"]  # it grows over the year
    timeline = page[page.index('id="timeline"'):page.index('id="idle"')]
    assert "<svg" in timeline and "<polyline" in timeline and timeline.count("<rect") == len(line)


def test_the_excel_charts_draw_the_cells_beside_them(city, session, login_as):
    from openpyxl.chart import BarChart, LineChart, PieChart

    client = login_as("committee-s0101")
    book = load_workbook(io.BytesIO(client.get(f"/street/S0101/dashboard.xlsx?year={YEAR}").data))
    expected = {"各社区执行情况": (BarChart, "B", "G"), "按用途支出": (PieChart, "B", "C"),
                "分月执行进度": (LineChart, "C", "G")}
    for title, (kind, category, value) in expected.items():
        sheet = book[title]
        assert len(sheet._charts) == 1, title
        chart = sheet._charts[0]
        assert isinstance(chart, kind), title
        last = sheet.max_row
        series = chart.series[0]
        assert series.val.numRef.f == f"'{title}'!${value}$2:${value}${last}", title
        ref = series.cat.strRef.f if series.cat.strRef else series.cat.numRef.f
        assert ref == f"'{title}'!${category}$2:${category}${last}", title
    # the line's cells are the page's figures
    page = client.get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    shown = _month_rows(page)
    sheet = book["分月执行进度"]
    assert [c.value for c in sheet[1]][2:7] == ["月份", "当月支出", "累计支出", "下达金额", "预算执行率(%)"]
    for month, _month_spent, cumulative, _allocated, rate in (r[2:7] for r in sheet.iter_rows(min_row=2, values_only=True)):
        assert shown_money(Decimal(str(cumulative))) == shown[month]["cumulative_spent"]
        assert shown_rate(Decimal(str(rate))) == shown[month]["execution_rate"]
    rates = {r[1]: r[6] for r in book["各社区执行情况"].iter_rows(min_row=2, values_only=True)}
    for code in ("Q010101", "Q010102", "Q010103"):
        name_cell = cells(page, "data-org", code)
        assert shown_rate(Decimal(str(rates[by_code(session, code).name]))) == name_cell["execution_rate"]


def test_the_late_allocation_cutoff_is_a_setting_shown_on_the_page(city, app, login_as):
    d02 = login_as("oversight-d02")
    page = d02.get(f"/oversight/D02?year={YEAR}").get_data(as_text=True)
    assert 'data-late="Q020101"' in page and f"{YEAR}年6月30日" in page
    app.config["LATE_ALLOCATION_CUTOFF"] = "09-30"  # the district money arrived in August
    page = d02.get(f"/oversight/D02?year={YEAR}").get_data(as_text=True)
    assert "data-late=" not in page and f"{YEAR}年9月30日" in page


def test_a_wrong_cutoff_setting_is_refused():
    import pytest

    from app.street.figures import parse_cutoff

    assert parse_cutoff("06-30") == (6, 30)
    for wrong in ("02-29", "13-01", "June", ""):
        with pytest.raises(ValueError, match="MM-DD"):
            parse_cutoff(wrong)
