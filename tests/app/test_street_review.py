"""The street committee's review: the queue, approve, return, reject, emergency approval, plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from ledger.base import utcnow
from ledger.organisations import by_code
from ledger.projects import LedgerProject
from ledger.users import User
from workflows.events import ProjectEvent
from workflows.needs import add_need
from workflows.plans import AnnualPlan, open_plan, submit_plan
from workflows.projects import create_project
from workflows.publicity import Objection
from tests.app.conftest import csrf_token
from tests.app.test_street_support import city, project  # noqa: F401

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/home"), **data})


def _url(p, action=""):
    return f"/street/{p.community.parent.code}/review/{p.id}" + (f"/{action}" if action else "")


def _events(session, p) -> int:
    session.commit()
    return session.scalar(select(func.count(ProjectEvent.id)).where(ProjectEvent.project_id == p.id))


def test_the_queue_lists_only_the_streets_own_communities(city, session, login_as):
    committee = login_as("committee-s0101")
    page = committee.get("/street/S0101/review").get_data(as_text=True)
    own = project(session, "Q010101", "P04")
    assert own.state == "review"
    assert f'data-project="{own.id}"' in page and own.title in page
    sibling_street = project(session, "Q010202", "P01")  # awaiting review in 秋实街道, another street
    foreign = project(session, "XQ010101", "P04")
    assert sibling_street.state == "review" and f'data-project="{sibling_street.id}"' not in page
    assert f'data-project="{foreign.id}"' not in page
    # The resolution still under publicity, with its unanswered objection, is shown as coming up.
    upcoming = project(session, "Q010101", "P03")
    assert f'data-project="{upcoming.id}"' in page and "1 条异议未答复" in page


def test_another_streets_queue_and_projects_are_not_found(city, session, login_as):
    committee = login_as("committee-s0101")
    assert committee.get("/street/S0102/review").status_code == 404
    assert committee.get("/street/XS0101/review").status_code == 404
    assert committee.get("/street/NOPE/review").status_code == 404
    other = project(session, "Q010202", "P01")
    assert committee.get(_url(other)).status_code == 404
    # A project of another street named under this street's URL is not found either.
    assert committee.get(f"/street/S0101/review/{other.id}").status_code == 404
    assert _post(committee, f"/street/S0101/review/{other.id}/approve", {"amount": "1"}).status_code == 404
    session.commit()
    assert project(session, "Q010202", "P01").state == "review"
    assert login_as("finance-s0101").get("/street/S0101/review").status_code == 403


def test_the_review_page_shows_the_whole_record(city, session, login_as):
    p = project(session, "Q010101", "P04")
    page = login_as("committee-s0101").get(_url(p)).get_data(as_text=True)
    for text in ("四议记录", "党员大会审议", "居民代表会议决议", "公示与异议", "按资金来源的预算", "市级财政",
                 "60,000.00", "审核通过并备案", "退回修改", "不予通过"):
        assert text in page, text


def test_approving_more_than_asked_is_refused_and_nothing_changes(city, session, login_as):
    p = project(session, "Q010101", "P04")
    before = _events(session, p)
    response = _post(login_as("committee-s0101"), _url(p, "approve"), {"amount": "60,000.01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "60000.01" in page or "60,000.01" in page  # the input is kept
    assert 'class="error"' in page and "60000.00" in page  # the core's reason, next to the field
    session.commit()
    p = project(session, "Q010101", "P04")
    assert p.state == "review" and p.approved_amount is None and _events(session, p) == before


def test_bad_amounts_are_refused_next_to_the_field(city, session, login_as):
    p = project(session, "Q010101", "P04")
    committee = login_as("committee-s0101")
    for amount, message in (("", "请输入金额"), ("abc", ""), ("0", "金额必须大于 0"), ("12.345", "最多两位小数")):
        page = _post(committee, _url(p, "approve"), {"amount": amount}).get_data(as_text=True)
        assert 'class="error"' in page and message in page, amount
    assert project(session, "Q010101", "P04").state == "review"


def test_approve_less_than_asked(city, session, login_as):
    p = project(session, "Q010101", "P04")
    response = _post(login_as("committee-s0101"), _url(p, "approve"), {"amount": "45,000.00", "note": "压缩器材数量"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/street/S0101/review")
    p = project(session, "Q010101", "P04")
    assert p.state == "implementation" and p.approved_amount == Decimal("45000.00")
    assert p.ledger_project.approved_amount == Decimal("45000.00")


def test_approve_split_by_source(city, session, login_as):
    # A project with two sources: the street approves less and splits it.
    p = project(session, "Q010101", "P04")
    committee = login_as("committee-s0101")
    wrong = _post(committee, _url(p, "approve"), {"amount": "50000", "share_city": "30000"}).get_data(as_text=True)
    assert "50000.00" in wrong and 'class="error"' in wrong  # shares do not add up: the core's reason
    assert project(session, "Q010101", "P04").state == "review"
    response = _post(committee, _url(p, "approve"), {"amount": "50000", "share_city": "50000"})
    assert response.status_code == 302
    p = project(session, "Q010101", "P04")
    session.commit()
    shares = session.scalar(select(LedgerProject).where(LedgerProject.id == p.ledger_project_id)).shares
    assert [(s.funding_source.code, s.amount) for s in shares] == [("city", Decimal("50000.00"))]


def test_return_needs_a_reason_then_goes_back_to_drafting(city, session, login_as):
    p = project(session, "Q010101", "P04")
    committee = login_as("committee-s0101")
    page = _post(committee, _url(p, "return"), {"return_reason": "  "}).get_data(as_text=True)
    assert "请说明社区需要修改的内容" in page
    assert project(session, "Q010101", "P04").state == "review"
    assert _post(committee, _url(p, "return"), {"return_reason": "请补充器材报价"}).status_code == 302
    p = project(session, "Q010101", "P04")
    assert p.state == "drafting"
    last = session.scalars(select(ProjectEvent).where(ProjectEvent.project_id == p.id)
                           .order_by(ProjectEvent.id.desc())).first()
    assert last.event == "return_for_revision" and last.reason == "请补充器材报价" and last.role == "street_committee"


def test_reject_needs_a_reason(city, session, login_as):
    p = project(session, "Q010101", "P04")
    committee = login_as("committee-s0101")
    assert "请说明不予通过的理由" in _post(committee, _url(p, "reject"), {}).get_data(as_text=True)
    assert project(session, "Q010101", "P04").state == "review"
    assert _post(committee, _url(p, "reject"), {"reject_reason": "不在正面清单内"}).status_code == 302
    assert project(session, "Q010101", "P04").state == "rejected"


def test_a_project_still_under_publicity_is_refused_with_the_cores_reason(city, session, login_as):
    p = project(session, "Q010101", "P03")  # publicity running, one unanswered objection
    before = _events(session, p)
    committee = login_as("committee-s0101")
    page = committee.get(_url(p)).get_data(as_text=True)
    assert "当前步骤无需街道作出决定" in page and "托管时间能否延长" in page and "尚未答复" in page
    response = _post(committee, _url(p, "approve"), {"amount": "15000"})
    refused = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="flash error"' in refused
    assert "决议公开" in refused  # the core names the step the project is at
    session.commit()
    assert project(session, "Q010101", "P03").state == "publicity" and _events(session, p) == before


def test_fast_approval_of_an_emergency(city, session, login_as):
    community = by_code(session, "Q010101")
    secretary = session.scalar(select(User).where(User.username == "secretary-q010101"))
    need = add_need(session, community, channel="hotline_12345", received_on=dt.date.today(), category="应急",
                    description="地下室进水")
    e = create_project(session, community, code="E99", title="地下室排涝抢修", project_type="emergency",
                       purpose_code="emergency", plan_year=utcnow().year, responsible_person="王书记", by=secretary,
                       budget={"district": "8000"}, needs=[need])
    session.commit()
    committee = login_as("committee-s0101")
    assert f'data-project="{e.id}"' in committee.get("/street/S0101/review").get_data(as_text=True)
    page = _post(committee, _url(e, "fast-approve"), {"amount": "8000"}).get_data(as_text=True)
    assert "请说明项目为何不能等待四议程序完成" in page
    assert project(session, "Q010101", "E99").state == "needs"
    assert _post(committee, _url(e, "fast-approve"), {"amount": "8000", "reason": "暴雨积水"}).status_code == 302
    e = project(session, "Q010101", "E99")
    assert e.state == "implementation" and e.follow_up_due is not None
    # A project that is no emergency cannot be approved ahead of its deliberations.
    p5 = project(session, "Q010101", "P05")
    refused = _post(committee, _url(p5, "fast-approve"), {"amount": "8000", "reason": "急"}).get_data(as_text=True)
    assert 'class="error"' in refused
    assert project(session, "Q010101", "P05").state == "drafting"


def test_script_payloads_show_as_text_on_the_review_pages(city, session, login_as):
    p = project(session, "Q010101", "P03")
    p.title = PAYLOAD
    objection = session.scalar(select(Objection).join(Objection.notice).where(Objection.notice.has(project_id=p.id)))
    objection.text = PAYLOAD
    session.commit()
    committee = login_as("committee-s0101")
    for url in ("/street/S0101/review", _url(p), "/street/S0101", "/oversight/S0101/export/overdue_steps.csv"):
        page = committee.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in committee.get(_url(p)).get_data(as_text=True)


def _plan(session, year):
    community = by_code(session, "Q010101")
    secretary = session.scalar(select(User).where(User.username == "secretary-q010101"))
    plan = open_plan(session, community, year)
    need = add_need(session, community, channel="visit", received_on=dt.date.today(), category="文体",
                    description="希望明年办邻里节")
    create_project(session, community, code=f"N{year}", title="邻里节", project_type="activities",
                   purpose_code="culture", plan_year=year, responsible_person="王书记", by=secretary,
                   budget={"city": "12000"}, needs=[need], plan=plan)
    submit_plan(session, plan, by=secretary, role="community_staff")
    session.commit()
    return plan


def test_the_committee_reviews_a_submitted_plan(city, session, login_as):
    year = utcnow().year + 1
    plan = _plan(session, year)
    committee = login_as("committee-s0101")
    listing = committee.get(f"/street/S0101/plans?year={year}").get_data(as_text=True)
    assert "1 份计划待您审核" in listing and "12,000.00" in listing
    url = f"/street/S0101/plans/Q010101/{year}"
    assert "邻里节" in committee.get(url).get_data(as_text=True)
    refused = _post(committee, url + "/review", {"decision": "return", "note": ""}).get_data(as_text=True)
    assert 'class="error"' in refused
    session.commit()
    assert session.get(AnnualPlan, plan.id).status == "submitted"
    assert _post(committee, url + "/review", {"decision": "approve"}).status_code == 302
    session.commit()
    assert session.get(AnnualPlan, plan.id).status == "approved"
    # Another street's community is not found under this street.
    assert committee.get(f"/street/S0101/plans/Q010201/{year}").status_code == 404
    assert login_as("committee-s0102").get(url).status_code == 404


def test_nothing_a_user_types_in_the_query_breaks_a_page(city, login_as):
    committee = login_as("committee-s0101")
    for url in ("/street/S0101?year=abc&share=-5", "/street/S0101?share=1000", "/street/S0101/plans?year=x",
                "/street/S0101?year=99999", "/street/S0101/dashboard.xlsx?share=x", "/street/S0101/review/999999"):
        assert committee.get(url).status_code in (200, 404), url
    page = committee.get("/street/S0101?share=1000").get_data(as_text=True)
    assert "请输入 1 到 99 之间的百分比" in page
