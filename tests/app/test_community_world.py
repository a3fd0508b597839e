"""A world for the community pages' tests, built with the cores (until the demo world exists).

The demo tree and a foreign copy (codes prefixed X), the demo accounts that the access
matrix logs in as, and, in Q010101, Q010102 and
XQ010101: books with money received, needs, a project at the first step, one in
publicity with an unanswered objection and one in implementation with evidence and a
posted payment. ``cworld`` returns the ids the tests need per community code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.operations import create_user
from app.demo import DEMO_PASSWORD, tree_csv
from ledger.accounts import seed_default_chart
from ledger.allocations import record_allocation
from ledger.books import open_book
from ledger.dimensions import funding_source, seed_default_dimensions
from ledger.expenditures import record_expenditure
from ledger.organisations import by_code, import_tree_csv
from ledger.posting import post_voucher, review_voucher
from ledger.users import User
from workflows.evidence import store_evidence
from workflows.machine import approve, fire
from workflows.meetings import record_meeting
from workflows.needs import add_need
from workflows.projects import create_project
from workflows.publicity import latest_notice, object_to

TODAY = dt.date.today()
YEAR = TODAY.year
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PASSING = {
    "proposal": dict(attendance_due=7, present=7, votes_for=7, votes_against=0, abstentions=0),
    "joint": dict(attendance_due=11, present=10, votes_for=9, votes_against=1, abstentions=0),
    "party_members": dict(attendance_due=60, present=45, votes_for=40, votes_against=3, abstentions=2),
    "representatives": dict(attendance_due=35, present=30, votes_for=25, votes_against=2, abstentions=3),
}
COMMUNITIES = ("Q010101", "Q010102", "XQ010101")


def user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def deliberate(session, project, staff, start: dt.date) -> None:
    for offset, kind in enumerate(project.definition.deliberations):
        record_meeting(session, project, kind=kind, held_on=start + dt.timedelta(days=offset),
                       motion_origin="党组织提议", minutes="会议纪要：同意实施。", by=staff,
                       role="community_staff", **PASSING[kind])


def expire(session, notice) -> None:
    length = notice.ends_at - notice.starts_at
    notice.ends_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    notice.starts_at = notice.ends_at - length
    session.flush()


def walk_to_publicity(session, project, staff):
    fire(session, project, "draft", by=staff, role="community_staff")
    fire(session, project, "deliberate", by=staff, role="community_staff")
    deliberate(session, project, staff, TODAY - dt.timedelta(days=40))
    fire(session, project, "publish_resolution", by=staff, role="community_staff")
    return latest_notice(session, project, "resolution")


def build(session, folder: Path) -> dict:
    for prefix in ("", "X"):
        report = import_tree_csv(session, tree_csv(prefix))
        assert report.ok, report.errors
        x = prefix.lower()
        accounts = [("admin", "admin", "DEMO"), ("district_oversight", "oversight", "D01"),
                    ("street_committee", "committee", "S0101"), ("street_finance", "finance", "S0101"),
                    ("street_finance", "finance2", "S0101"), ("community_staff", "secretary", "Q010101"),
                    ("community_staff", "secretary", "Q010102")]
        for role, name, code in accounts:
            org = by_code(session, prefix + code)
            username = f"{x}admin" if name == "admin" else f"{name}-{x}{code.lower()}"
            create_user(session, username, f"{org.name}{name}", DEMO_PASSWORD, role=role, org=org, fast_hash=True)
    for city in ("DEMO", "XDEMO"):
        seed_default_chart(session, by_code(session, city))
        seed_default_dimensions(session, by_code(session, city))
    admin = user(session, "admin")
    ids: dict = {}
    for code in COMMUNITIES:
        community = by_code(session, code)
        street = community.parent.code.lower()
        staff = user(session, f"secretary-{code.lower()}")
        committee = user(session, f"committee-{street}")
        finance = user(session, f"finance-{street}")
        book = open_book(session, community, YEAR)
        for source, amount in (("district", "100000.00"), ("city", "100000.00")):
            allocation = record_allocation(session, book, funding_source(session, source), amount,
                                           arrived_on=dt.date(YEAR, 1, 10), by=finance)
            review_voucher(session, allocation.voucher, by=committee)
            post_voucher(session, allocation.voucher, by=admin)
        needs = [add_need(session, community, channel=channel, received_on=TODAY - dt.timedelta(days=60),
                          category="便民设施", description=text, by=staff)
                 for channel, text in (("visit", "楼道灯不亮"), ("hotline_12345", "楼道灯坏了"), ("wechat", "增设休息座椅"))]

        def project(code_, need):
            return create_project(session, community, code=code_, title=f"楼道照明改造 {code_}",
                                  project_type="convenience", purpose_code="convenience", plan_year=YEAR,
                                  responsible_person="王书记", by=staff,
                                  budget={"district": "6000.00", "city": "4000.00"}, expected_beneficiaries=120,
                                  needs=[need])

        fresh = project("P-NEW", needs[2])
        publicity = project("P-PUB", needs[0])
        notice = walk_to_publicity(session, publicity, staff)
        objection = object_to(session, notice, "<script>alert('x')</script>为什么这么贵？", contact="1-101")
        running = project("P-RUN", needs[0])
        expire(session, walk_to_publicity(session, running, staff))
        fire(session, running, "submit_for_review", by=staff, role="community_staff")
        approve(session, running, "10000.00", by=committee)
        photo = store_evidence(session, folder, running, data=PDF, filename="施工照片.pdf", kind="photo", by=staff)
        paid = record_expenditure(session, book, running.ledger_project, funding_source(session, "district"),
                                  "1000.00", TODAY, "购买灯具", by=staff)
        review_voucher(session, paid, by=finance)
        post_voucher(session, paid, by=admin)
        ids[code] = dict(org=community.id, fresh=fresh.id, publicity=publicity.id, running=running.id,
                         need=needs[0].id, needs=[n.id for n in needs], objection=objection.id,
                         notice=notice.id, evidence=photo.id)
    session.commit()
    return ids


@pytest.fixture
def cworld(app, session):
    return build(session, Path(app.instance_path) / "evidence")


def test_the_world_has_what_the_pages_need(cworld, session):
    from workflows.projects import Project

    for code in COMMUNITIES:
        assert session.get(Project, cworld[code]["running"]).state == "implementation"
        assert session.get(Project, cworld[code]["publicity"]).state == "publicity"
