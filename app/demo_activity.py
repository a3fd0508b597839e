"""A year of activity for the demo city: books, allocations, needs, projects, spending.

Every figure goes through the cores as a clerk's or a secretary's request would (the
preparer, reviewer and poster are different people; every meeting passes its rule), so
the demo shows what the system really holds: a project at every step, an objection
waiting for an answer, an emergency repair, an idle community, a community whose
spending is concentrated on one purpose, and late allocations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.accounts import seed_default_chart
from ledger.allocations import record_allocation
from ledger.books import open_book
from ledger.clerks import Clerks, post_through
from ledger.dimensions import funding_source, seed_default_dimensions
from ledger.expenditures import record_expenditure
from ledger.organisations import Organisation
from ledger.targets import set_target
from ledger.users import User
from workflows.evaluation import seed_default_templates, start_evaluation
from workflows.evidence import store_evidence
from workflows.machine import approve, fire
from workflows.meetings import record_meeting
from workflows.needs import add_need, merge_needs
from workflows.process import JOINT, PARTY_MEMBERS, PROPOSAL, REPRESENTATIVES
from workflows.projects import create_project, spending_project
from workflows.publicity import latest_notice, object_to
from workflows.household_codes import household_code
from workflows.satisfaction import rate

MEETING_FIGURES = {
    PROPOSAL: dict(attendance_due=7, present=7, votes_for=7, votes_against=0, abstentions=0),
    JOINT: dict(attendance_due=11, present=10, votes_for=9, votes_against=1, abstentions=0),
    PARTY_MEMBERS: dict(attendance_due=62, present=48, votes_for=44, votes_against=2, abstentions=2),
    REPRESENTATIVES: dict(attendance_due=35, present=31, votes_for=27, votes_against=1, abstentions=3),
}
COMPLETION_REPORT = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Scenario:
    """One demo project: where it stands and how much of it was paid."""

    code: str
    title: str
    project_type: str
    purpose: str
    budget: dict[str, str]
    state: str
    spent: str = "0"
    objection: str = ""


SCENARIOS: dict[str, list[Scenario]] = {
    "Q010101": [
        Scenario("P01", "楼道照明改造", "works", "small_works", {"city": "30000", "district": "20000"}, "closed", "46800"),
        Scenario("P02", "老年助餐服务", "care", "care", {"city": "40000", "district": "40000"}, "implementation", "23500"),
        Scenario("P03", "儿童暑期托管活动", "activities", "culture", {"district": "15000"}, "publicity",
                 objection="托管时间能否延长到下午六点？双职工家庭接不了孩子。"),
        Scenario("P04", "小区健身器材更新", "works", "small_works", {"city": "60000"}, "review"),
        Scenario("P05", "垃圾分类宣传", "volunteer", "party_education", {"district": "8000"}, "drafting"),
        Scenario("E01", "暴雨后排水管道抢修", "emergency", "emergency", {"district": "25000"}, "emergency", "18000"),
    ],
    "Q010102": [
        Scenario("P01", "小区环境整治（垃圾清运）", "works", "small_works", {"city": "80000", "district": "70000"},
                 "implementation", "126000"),
        Scenario("P02", "便民理发志愿服务", "volunteer", "volunteer", {"city": "5000"}, "closed", "4200"),
    ],
    "Q010201": [
        Scenario("P01", "社区邻里文化节", "activities", "culture", {"city": "20000", "district": "10000"}, "closed", "28650.50"),
    ],
    "Q010202": [
        Scenario("P01", "无障碍坡道改造", "works", "small_works", {"district": "45000"}, "review"),
    ],
    "Q020101": [
        Scenario("P01", "独居老人关爱探访", "care", "care", {"city": "36000"}, "implementation", "12000"),
        Scenario("P02", "党史学习宣传展板", "other", "party_education", {"district": "6000"}, "acceptance", "5800"),
    ],
    "Q020102": [
        Scenario("P01", "便民维修服务站", "convenience", "convenience", {"city": "25000", "district": "25000"}, "closed", "49990"),
    ],
    "Q020201": [
        Scenario("P01", "楼顶防水应急修缮", "emergency", "emergency", {"district": "30000"}, "emergency", "30000"),
    ],
}

NEEDS = [
    ("hotline_12345", "便民设施", "3号楼楼道灯坏了两个月，晚上老人上下楼不安全。"),
    ("visit", "关爱帮扶", "独居老人希望社区提供午餐送餐服务。"),
    ("suggestion_box", "文体活动", "暑假孩子没人照看，希望社区办托管班。"),
    ("wechat", "便民设施", "健身器材老化生锈，有安全隐患。"),
    ("meeting", "环境治理", "希望加强垃圾分类宣传和督导。"),
    ("wechat", "便民设施", "楼道灯不亮，晚上回家很黑。"),  # a duplicate of the first, merged
]


def _users(session: Session, community: Organisation) -> dict[str, User]:
    street = community.parent
    names = {
        "secretary": f"secretary-{community.code.lower()}",
        "committee": f"committee-{street.code.lower()}",
        "finance": f"finance-{street.code.lower()}",
        "finance2": f"finance2-{street.code.lower()}",
        "finance3": f"finance3-{street.code.lower()}",
    }
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names.values())))}
    return {key: found[name] for key, name in names.items()}


class _Calendar:
    """Dates spread over the part of the year that has passed, never in the future."""

    def __init__(self, today: dt.date):
        self.start = dt.date(today.year, 1, 1)
        self.span = max((today - self.start).days - 1, 0)

    def at(self, fraction: float) -> dt.date:
        return self.start + dt.timedelta(days=int(self.span * fraction))


def populate(session: Session, city: Organisation, evidence_folder: Path, today: dt.date, secret: str) -> None:
    """Give every community of ``city`` its books and the year's activity; ``secret`` is the
    application's key, which the households' survey codes are checked with."""
    seed_default_chart(session, city)
    seed_default_dimensions(session, city)
    calendar = _Calendar(today)
    communities = session.scalars(
        select(Organisation).where(Organisation.level == "community",
                                   Organisation.path.startswith(city.path, autoescape=True))
        .order_by(Organisation.path)
    ).all()
    for community in communities:
        _year_of(session, community, calendar, evidence_folder, secret)
    for district in city.children:
        oversight = session.scalar(select(User).where(User.username == f"oversight-{district.code.lower()}"))
        templates = seed_default_templates(session, district, by=oversight)
        fund = next(t for t in templates if t.subject == "street_fund")
        start_evaluation(session, fund, district.children[0], calendar.start.year, by=oversight)


def _year_of(session, community, calendar, evidence_folder, secret) -> None:
    people = _users(session, community)
    clerks = Clerks(people["finance"], people["finance2"], people["finance3"])
    book = open_book(session, community, calendar.start.year, by=people["finance"])
    base_code = community.code.lstrip("X")
    late = base_code.startswith("Q02")  # 河西区's district money arrived late and only in part
    for source in ("city", "district"):  # the planned budget: 400,000 a community, 1:1 city and district
        set_target(session, community, book.fiscal_year, funding_source(session, source), "200000",
                   by=people["finance"], reference=f"{source}-budget-{book.fiscal_year}")
    for source, amount, when in (("city", "200000", 0.08),
                                 ("district", "120000" if late else "200000", 0.7 if late else 0.1)):
        allocation = record_allocation(session, book, funding_source(session, source), amount,
                                       calendar.at(when), by=people["finance"], reference=f"{source}-{book.fiscal_year}")
        post_through(session, allocation.voucher, clerks)

    scenarios = SCENARIOS.get(base_code, [])
    if not scenarios:
        return  # an idle community: money received, nothing done (审计发现的“空转”社区)
    needs = [add_need(session, community, channel=channel, received_on=calendar.at(0.02 + 0.01 * i),
                      category=category, description=text, by=people["secretary"])
             for i, (channel, category, text) in enumerate(NEEDS)]
    merge_needs(session, needs[0], [needs[-1]])
    for index, scenario in enumerate(scenarios):
        need = needs[index % (len(NEEDS) - 1)]
        _project(session, community, book, scenario, need, people, clerks, calendar, evidence_folder, secret)


def _project(session, community, book, scenario, need, people, clerks, calendar, evidence_folder, secret) -> None:
    secretary, committee = people["secretary"], people["committee"]
    project = create_project(
        session, community, code=scenario.code, title=scenario.title, project_type=scenario.project_type,
        purpose_code=scenario.purpose, plan_year=book.fiscal_year, responsible_person=secretary.display_name,
        by=secretary, budget=scenario.budget, expected_beneficiaries=200, needs=[need],
    )
    asked = sum(Decimal(v) for v in scenario.budget.values())

    def staff(event, **options):
        fire(session, project, event, by=secretary, role="community_staff", **options)

    if scenario.state == "emergency":
        fire(session, project, "fast_approve", by=committee, role="street_committee", amount=asked,
             by_source=scenario.budget, reason="汛期险情，先行实施，事后补充四议两公开")
        _spend(session, book, project, scenario, secretary, clerks, calendar)
        return
    staff("draft")
    if scenario.state == "drafting":
        return
    staff("deliberate")
    for step, kind in enumerate(project.definition.deliberations):
        record_meeting(session, project, kind=kind, held_on=calendar.at(0.15 + 0.02 * step),
                       motion_origin="社区党组织根据居民需求提议", minutes=f"{scenario.title}：与会人员讨论后表决通过。",
                       by=secretary, role="community_staff", **MEETING_FIGURES[kind])
    staff("publish_resolution")
    notice = latest_notice(session, project, "resolution")
    if scenario.objection:
        object_to(session, notice, scenario.objection, contact="13800000000")
    if scenario.state == "publicity":
        return
    _expire(session, notice)
    staff("submit_for_review")
    if scenario.state == "review":
        return
    approve(session, project, asked, by=committee, by_source=scenario.budget)
    _spend(session, book, project, scenario, secretary, clerks, calendar)
    if scenario.state == "implementation":
        return
    staff("complete")
    store_evidence(session, evidence_folder, project, data=COMPLETION_REPORT,
                   filename="竣工验收报告.pdf", kind="completion_report", by=secretary)
    for household, stars in ((1, 5), (2, 5), (3, 4), (4, 5), (5, 3)):  # five households, online
        rate(session, project, household_code(secret, community.code, project.plan_year, household), stars,
             secret=secret)
    if scenario.state == "acceptance":
        return
    fire(session, project, "accept", by=committee, role="street_committee")
    _expire(session, latest_notice(session, project, "results"))
    staff("close")


def _spend(session, book, project, scenario, secretary, clerks, calendar) -> None:
    """Pay ``scenario.spent``, each funding source its share of the project's budget."""
    total = Decimal(scenario.spent)
    if not total:
        return
    ledger_project = spending_project(project)
    asked = sum(Decimal(v) for v in scenario.budget.values())
    left = total
    for number, (source_code, planned) in enumerate(scenario.budget.items()):
        last = number == len(scenario.budget) - 1
        amount = left if last else (total * Decimal(planned) / asked).quantize(Decimal("0.01"))
        left -= amount
        voucher = record_expenditure(
            session, book, ledger_project, funding_source(session, source_code), amount,
            calendar.at(0.45 + 0.1 * number), f"{scenario.title} 第{number + 1}笔支付", by=secretary,
        )
        post_through(session, voucher, clerks)


def _expire(session, notice) -> None:
    """Move a notice's whole period into the past, as if its days had gone by."""
    length = notice.ends_at - notice.starts_at
    notice.ends_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    notice.starts_at = notice.ends_at - length
    session.flush()
