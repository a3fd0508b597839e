"""The public board of a community: notices, projects, money, and nothing personal.

Runs on the demo world (app/demo_activity.py): 春华一社区 (Q010101) has a project on
public notice with an objection, two projects under way, a closed one with ratings, one
waiting for review and one still being drafted (not public).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.public import models as _public_tables  # noqa: F401  (on the metadata; see tests/app/access/public.py)
from ledger.accounts import Account
from ledger.dimensions import PurposeCategory
from ledger.organisations import by_code
from ledger.reports import execution_by_purpose
from ledger.vouchers import POSTED, Voucher, VoucherLine
from workflows.projects import Project
from workflows.publicity import PublicNotice, latest_notice

YEAR = 2026


def project(session, community: str, code: str) -> Project:
    org = by_code(session, community)
    return session.scalar(select(Project).where(Project.community_id == org.id, Project.code == code))


def text_of(response) -> str:
    """The page's visible text, tags removed, entities kept as written."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<head>.*?</head>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_landing_page_links_every_community_to_its_board(world, app):
    page = app.test_client().get("/").get_data(as_text=True)
    for code in ("Q010101", "Q010102", "Q020203"):
        assert f'href="/c/{code}"' in page
    assert "1 项公示中" in page  # 春华一社区 has one notice running


def test_the_board_shows_the_running_notice_with_its_period_and_days_left(world, app, session):
    notice = latest_notice(session, project(session, "Q010101", "P03"), "resolution")
    response = app.test_client().get("/c/Q010101")
    assert response.status_code == 200
    page = text_of(response)
    assert "正在公示" in page and "决议公开：儿童暑期托管活动" in page
    start = notice.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{start.year}年{start.month}月{start.day}日" in page
    assert "还剩 7 天" in page
    assert "申请金额 15,000.00 元" in page
    assert f'/c/Q010101/notices/{notice.id}' in response.get_data(as_text=True)


def test_the_board_lists_approved_and_finished_projects(world, app):
    page = text_of(app.test_client().get("/c/Q010101"))
    approved = page.split("已批准、正在实施的项目")[1].split("已完成项目及实施结果")[0]
    assert "老年助餐服务" in approved and "80,000.00 元" in approved
    assert "暴雨后排水管道抢修" in approved and "25,000.00 元" in approved
    finished = page.split("已完成项目及实施结果")[1].split("年度经费")[0]
    assert "楼道照明改造" in finished and "50,000.00 元" in finished and "已办结" in finished
    assert "80.00%" in finished and "5 户评价" in finished  # four of five households rated 4 or 5
    assert "垃圾分类宣传" not in page  # still being drafted: not public


def test_the_spending_by_purpose_shown_matches_the_books(world, app, session):
    community = by_code(session, "Q010101")
    page = text_of(app.test_client().get(f"/c/Q010101?year={YEAR}"))
    money = page.split(f"{YEAR} 年度经费")[1]
    # Straight from the posted vouchers: budget expenditure (7xxx) per purpose.
    rows = session.execute(
        select(PurposeCategory.name, func.sum(VoucherLine.debit - VoucherLine.credit))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .join(PurposeCategory, PurposeCategory.id == VoucherLine.purpose_id)
        .where(Voucher.status == POSTED, VoucherLine.organisation_id == community.id,
               Account.category == "budget_expenditure")
        .group_by(PurposeCategory.name)
    ).all()
    assert rows, "the demo community has spending"
    report = {r["name"]: r for r in execution_by_purpose(session, community, YEAR).to_dict("records")}
    total = Decimal(0)
    for name, spent in rows:
        spent = Decimal(str(spent))
        total += spent
        assert report[name]["spent"] == spent
        assert f"{name} {spent:,.2f} 元 {report[name]['share']}%" in money
    assert "到位资金 400,000.00 元" in money and f" {total:,.2f} 元" in money
    assert f"结余 {Decimal('400000') - total:,.2f} 元" in money


def test_an_idle_year_says_so_rather_than_showing_zeros(world, app):
    page = text_of(app.test_client().get("/c/Q010101?year=1999"))  # no books that year: this year
    assert f"{dt.date.today().year} 年度经费" in page


def test_the_notice_page_shows_the_resolution_and_hides_the_objectors_contact(world, app, session):
    notice = latest_notice(session, project(session, "Q010101", "P03"), "resolution")
    response = app.test_client().get(f"/c/Q010101/notices/{notice.id}")
    page = text_of(response)
    assert "托管时间能否延长到下午六点" in page  # the objection itself is public
    assert "13800000000" not in response.get_data(as_text=True)  # its contact is not
    assert "居民代表会议决议" in page and "27 / 1 / 3" in page  # the tally of the resolution
    assert "发布单位：社区党组织" in page
    assert "等待社区答复" in page


def test_no_personal_data_of_others_on_any_public_page(world, app, session):
    client = app.test_client()
    notices = session.scalars(select(PublicNotice.id).where(
        PublicNotice.community_id == by_code(session, "Q010101").id)).all()
    urls = ["/", "/c/Q010101", "/c/Q020101"] + [f"/c/Q010101/notices/{n}" for n in notices]
    urls += [f"/c/Q010101/projects/{project(session, 'Q010101', c).id}" for c in ("P01", "P02", "P03", "E01")]
    urls.append(f"/c/Q020101/projects/{project(session, 'Q020101', 'P02').id}")
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        for secret in ("13800000000", "1-101", "1-202", "2-301", "secretary-q010101", "committee-s0101",
                       "春华一社区书记", "春华街道党工委", "finance-s0101"):
            assert secret not in html, (url, secret)


@pytest.mark.parametrize("url", [
    "/c/NOPE", "/c/S0101", "/c/DEMO", "/c/q010101x", "/c/Q010101/notices/999999",
    "/c/Q010101/projects/999999", "/c/Q010101/notices/abc", "/c/NOPE/needs/new", "/c/NOPE/needs/thanks",
    "/c/Q010101/notices/99999999999999999999", "/c/Q010101/projects/99999999999999999999",
    "/c/Q010101/projects/-1", "/c/" + "Q" * 300, "/c/Q010101%00", "/c/Q010101%0A", "/c/%E7%A4%BE%E5%8C%BA",
])
def test_unknown_codes_and_ids_answer_404(world, app, url):
    response = app.test_client().get(url)
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_a_project_of_another_community_or_not_public_answers_404(world, app, session):
    client = app.test_client()
    other = project(session, "Q010102", "P01")
    drafting = project(session, "Q010101", "P05")
    foreign_notice = latest_notice(session, project(session, "XQ010101", "P03"), "resolution")
    assert client.get(f"/c/Q010101/projects/{other.id}").status_code == 404
    assert client.get(f"/c/Q010102/projects/{other.id}").status_code == 200
    assert client.get(f"/c/Q010101/projects/{drafting.id}").status_code == 404
    assert client.get(f"/c/Q010101/notices/{foreign_notice.id}").status_code == 404
    assert client.get(f"/c/XQ010101/notices/{foreign_notice.id}").status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.post(f"/c/Q010101/notices/{foreign_notice.id}/objections",
                       data={"csrf_token": token, "text": "x"}).status_code == 404
    assert client.post(f"/c/Q010101/projects/{drafting.id}/rating",
                       data={"csrf_token": token, "household_code": "1", "rating": "5"}).status_code == 404


def test_a_notice_not_yet_started_is_not_public(world, app, session):
    notice = latest_notice(session, project(session, "Q010101", "P03"), "resolution")
    length = notice.ends_at - notice.starts_at
    notice.starts_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    notice.ends_at = notice.starts_at + length
    session.commit()
    client = app.test_client()
    assert client.get(f"/c/Q010101/notices/{notice.id}").status_code == 404
    assert "儿童暑期托管活动" not in client.get("/c/Q010101").get_data(as_text=True)


def test_the_pages_speak_english_too(world, app):
    client = app.test_client()
    page = text_of(client.get("/c/Q010101?lang=en"))
    assert "On public notice now" in page and "15,000.00 yuan" in page and "Community party organisation" not in page
