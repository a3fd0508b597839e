"""District oversight: read-only views of streets and communities, counts, late money, exports."""

from __future__ import annotations

import io
from collections import Counter

from openpyxl import load_workbook
from sqlalchemy import select

from ledger.organisations import Organisation, by_code
from ledger.reports import Rounding, execution_by_organisation
from workflows.projects import Project
from tests.app.test_street_support import YEAR, cells, city, project, shown_money, shown_rate  # noqa: F401

RATES = Rounding("truncate", 2)


def test_the_oversight_area_has_no_post_route(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("oversight.")]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


def test_the_district_page_shows_its_streets_and_the_cores_execution(city, session, login_as):
    page = login_as("oversight-d01").get(f"/oversight/D01?year={YEAR}").get_data(as_text=True)
    for name in ("春华街道", "秋实街道", "春华一社区", "秋实三社区"):
        assert name in page
    assert "明珠街道" not in page and "外市" not in page
    district = by_code(session, "D01")
    for level in ("street", "community"):
        for _, row in execution_by_organisation(session, district, YEAR, level, rounding=RATES).iterrows():
            shown = cells(page, "data-org", row["organisation"])
            assert shown["spent"] == shown_money(row["spent"])
            assert shown["execution_rate"] == shown_rate(row["execution_rate"])
    assert '<form method="post"' not in page.split("</header>", 1)[1]


def test_views_are_limited_to_the_readers_district_or_street(city, login_as):
    oversight = login_as("oversight-d01")
    assert oversight.get("/oversight/").status_code == 302
    assert oversight.get(f"/oversight/D02?year={YEAR}").status_code == 404
    assert oversight.get("/oversight/XD01").status_code == 404
    assert oversight.get("/oversight/S0101").status_code == 200
    committee = login_as("committee-s0101")
    assert committee.get(f"/oversight/D01?year={YEAR}").status_code == 404
    assert committee.get("/oversight/S0101").status_code == 200
    assert committee.get("/oversight/S0102").status_code == 404
    assert committee.get("/oversight/D01/export.xlsx").status_code == 404
    assert login_as("secretary-q010101").get("/oversight/S0101").status_code == 404
    assert login_as("finance-s0101").get("/oversight/S0101").status_code == 403


def test_counts_by_type_and_step_equal_the_projects(city, session, login_as):
    page = login_as("oversight-d01").get(f"/oversight/D01?year={YEAR}").get_data(as_text=True)
    district = by_code(session, "D01")
    projects = session.scalars(select(Project).join(Organisation, Organisation.id == Project.community_id)
                               .where(Organisation.path.startswith(district.path), Project.plan_year == YEAR)).all()
    by_type = Counter(p.project_type for p in projects)
    counts = page[page.index('id="counts"'):]
    for kind, count in by_type.items():
        assert f'<tr data-type="{kind}">' in counts and f'<td class="num">{count}</td>' in counts
    assert f"({len(projects)})" in counts


def test_idle_concentrated_and_late_are_named(city, login_as):
    oversight = login_as("oversight-d01")
    d01 = oversight.get(f"/oversight/D01?year={YEAR}").get_data(as_text=True)
    assert 'data-idle="Q010103"' in d01 and 'data-concentrated="Q010102"' in d01
    assert "data-late=" not in d01
    d02 = login_as("oversight-d02").get(f"/oversight/D02?year={YEAR}").get_data(as_text=True)
    assert 'data-late="Q020101"' in d02  # 河西区's district money arrived in the second half-year


def test_exports_open_with_the_same_figures(city, session, login_as):
    oversight = login_as("oversight-d01")
    response = oversight.get(f"/oversight/D01/export.xlsx?year={YEAR}")
    book = load_workbook(io.BytesIO(response.data))
    assert "各街道执行情况" in book.sheetnames
    rows = {r[0]: r for r in book["各街道执行情况"].iter_rows(min_row=2, values_only=True)}
    frame = execution_by_organisation(session, by_code(session, "D01"), YEAR, "street", rounding=RATES)
    for _, row in frame.iterrows():
        assert f"{rows[row['organisation']][4]:.2f}" == f"{row['spent']:.2f}"
    csv = oversight.get(f"/oversight/D01/export/execution_by_community.csv?year={YEAR}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("单位,名称,下达金额")
    assert "Q010101" in text and "Q020101" not in text
    assert oversight.get("/oversight/D01/export/nothing.csv").status_code == 404


def test_project_pages_are_read_only_and_link_to_the_community_area(city, session, login_as, app):
    p = project(session, "Q010101", "P03")
    oversight = login_as("oversight-d01")
    listing = oversight.get("/oversight/D01/projects").get_data(as_text=True)
    assert f'data-project="{p.id}"' in listing
    assert f'data-project="{project(session, "Q020101", "P01").id}"' not in listing
    page = oversight.get(f"/oversight/projects/{p.id}").get_data(as_text=True)
    assert p.title in page and "托管时间能否延长" in page
    assert '<form method="post"' not in page.split("</header>", 1)[1]
    if "community.project" in app.view_functions:
        assert "社区项目页面" in page
    foreign = project(session, "XQ010101", "P03")
    assert oversight.get(f"/oversight/projects/{foreign.id}").status_code == 404
    assert login_as("committee-s0102").get(f"/oversight/projects/{p.id}").status_code == 404


def test_the_district_export_charts_its_streets_and_months_and_the_csv_timeline(city, session, login_as):
    from openpyxl.chart import BarChart, LineChart

    from app.street.figures import timeline_months
    from ledger.reports import execution_timeline

    oversight = login_as("oversight-d01")
    book = load_workbook(io.BytesIO(oversight.get(f"/oversight/D01/export.xlsx?year={YEAR}").data))
    streets = book["各街道执行情况"]
    assert isinstance(streets._charts[0], BarChart)
    assert streets._charts[0].series[0].val.numRef.f == f"'各街道执行情况'!$G$2:$G${streets.max_row}"
    months = book["分月执行进度"]
    assert isinstance(months._charts[0], LineChart)
    line = execution_timeline(session, by_code(session, "D01"), YEAR, rounding=RATES, months=timeline_months(YEAR))
    assert months.max_row == len(line) + 1
    csv = oversight.get(f"/oversight/D01/export/timeline.csv?year={YEAR}").data.decode("utf-8-sig").splitlines()
    assert csv[0] == "单位,名称,月份,当月支出,累计支出,下达金额,预算执行率(%)"
    last = line.iloc[-1]
    assert csv[-1] == f"D01,河东区,{last['month']},{last['month_spent']},{last['cumulative_spent']}," \
                      f"{last['allocated']},{last['execution_rate']}"
