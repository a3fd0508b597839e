"""The community secretary's pages: her whole job, refusals next to the field, access, escaping."""

from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import func, select

from app.community.models import PaymentRequest
from ledger.organisations import by_code
from ledger.posting import post_voucher, review_voucher
from ledger.users import User
from ledger.vouchers import Voucher
from config import TestConfig
from tests.app.conftest import csrf_token
from tests.app.test_community_world import PASSING, PDF, TODAY, cworld, expire  # noqa: F401
from workflows.evidence import Evidence
from workflows.events import ProjectEvent
from workflows.meetings import Meeting
from workflows.needs import Need
from workflows.projects import Project
from workflows.publicity import Objection, PublicNotice, latest_notice, object_to
from workflows.household_codes import household_code
from workflows.satisfaction import SatisfactionRating

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
MEETING_DATES = {"proposal": 1, "joint": 2, "party_members": 3, "representatives": 4}


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/home"), **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


def counts(session) -> tuple:
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in (
        Need, Project, Meeting, Evidence, ProjectEvent, PublicNotice, Objection, SatisfactionRating, Voucher,
        PaymentRequest,
    ))


def user(session, name):
    return session.scalar(select(User).where(User.username == name))


def meeting_data(kind, **changes):
    figures = {**PASSING[kind], **changes}
    day = TODAY - dt.timedelta(days=10 - MEETING_DATES[kind])
    return {"kind": kind, "held_on": day.isoformat(), "motion_origin": "党组织提议", "minutes": "同意实施。",
            **{k: str(v) for k, v in figures.items()}}


def pdf(name="报告.pdf"):
    return (io.BytesIO(PDF), name)


def test_the_secretary_walks_a_project_from_a_need_to_published_results(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    # A need from the 12345 hotline.
    response = post(secretary, "/community/Q010101/needs/new", {
        "channel": "hotline_12345", "received_on": TODAY.isoformat(), "category": "便民设施",
        "description": "小区门口路灯不亮"})
    assert response.status_code == 302
    need = session.scalar(select(Need).where(Need.description == "小区门口路灯不亮"))
    assert need.channel == "hotline_12345" and need.status == "open"
    assert "小区门口路灯不亮" in text(secretary.get("/community/Q010101/needs?channel=hotline_12345"))
    assert "小区门口路灯不亮" not in text(secretary.get("/community/Q010101/needs?channel=wechat")).split('id="merge"')[0]

    # The project, answering that need, in next year's plan.
    response = post(secretary, "/community/Q010101/projects/new", {
        "title": "门口路灯维修", "project_type": "works", "purpose_code": "small_works", "plan_year": str(TODAY.year),
        "in_plan": "y", "responsible_person": "李主任", "expected_beneficiaries": "300",
        "budget_district": "3,000.00", "budget_city": "2000", "needs": [str(need.id)]})
    assert response.status_code == 302, text(response)
    project = session.scalar(select(Project).where(Project.title == "门口路灯维修"))
    url = f"/community/projects/{project.id}"
    assert response.headers["Location"].endswith(url)
    assert project.estimated_amount == 5000 and project.plan_id is not None
    page = text(secretary.get(url))
    assert "需求征集" in page and "拟定项目" in page  # the step and the next action

    assert post(secretary, f"{url}/events/draft").status_code == 302
    assert post(secretary, f"{url}/events/deliberate").status_code == 302
    for kind in ("proposal", "joint", "party_members", "representatives"):
        response = post(secretary, f"{url}/meetings", {**meeting_data(kind), "attachment": pdf("签到表.pdf")},
                        content_type="multipart/form-data")
        assert response.status_code == 302, text(response)
    page = text(secretary.get(url))
    assert page.count("✓") == 4 and "签到表.pdf" in page
    assert post(secretary, f"{url}/events/publish_resolution").status_code == 302
    session.expire_all()
    notice = latest_notice(session, project, "resolution")
    assert notice is not None and (notice.ends_at - notice.starts_at).days == project.definition.publicity_days

    # A resident objects; the secretary answers on the project page.
    objection = object_to(session, notice, "为什么不用太阳能灯？")
    session.commit()
    refused = post(secretary, f"{url}/events/submit_for_review")
    assert "公示" in text(refused) and project.state == "publicity"
    assert post(secretary, f"/community/objections/{objection.id}/answer",
                {"answer": "太阳能灯亮度不够，已征求楼长意见。"}).status_code == 302
    expire(session, latest_notice(session, project, "resolution"))
    session.commit()
    assert post(secretary, f"{url}/events/submit_for_review").status_code == 302

    # The street committee approves from the same page, in the role it really holds.
    committee = login_as("committee-s0101")
    assert "审核通过并备案" in text(committee.get(url)) or "approve" in text(committee.get(url))
    assert post(committee, f"{url}/events/approve", {"amount": "4,800.00"}).status_code == 302
    session.expire_all()
    assert session.get(Project, project.id).state == "implementation"

    # A payment request with its invoice: a draft voucher prepared by the secretary.
    response = post(secretary, f"{url}/payments/new", {
        "amount": "1,200.50", "source": "district", "paid_on": TODAY.isoformat(), "description": "购买LED路灯",
        "invoice": pdf("发票.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    request = session.scalar(select(PaymentRequest).where(PaymentRequest.project_id == project.id))
    voucher = request.voucher
    assert voucher.status == "draft" and voucher.prepared_by.username == "secretary-q010101"
    assert request.invoice.kind == "invoice"
    assert "1,200.50" in text(secretary.get("/community/Q010101/payments"))
    review_voucher(session, voucher, by=user(session, "finance2-s0101"))
    post_voucher(session, voucher, by=user(session, "finance-s0101"))
    session.commit()
    assert "已记账" in text(secretary.get(url)) or "paid" in text(secretary.get(url))

    # Completion, acceptance with its evidence and survey, the results notice, closing.
    assert post(secretary, f"{url}/events/complete").status_code == 302
    refused = post(secretary, f"{url}/events/accept")
    assert refused.status_code == 200 and "cm-refused" in text(refused)
    assert post(secretary, f"{url}/evidence", {"kind": "completion_report", "file": pdf("完工报告.pdf")},
                content_type="multipart/form-data").status_code == 302
    slip = household_code(TestConfig.SECRET_KEY, "Q010101", project.plan_year, 3)
    assert post(secretary, f"{url}/ratings", {"household_code": "3-201", "rating": "5"}).status_code == 200
    assert post(secretary, f"{url}/ratings", {"household_code": slip.lower(), "rating": "5"}).status_code == 302
    typed_in = session.scalar(select(SatisfactionRating).where(SatisfactionRating.project_id == project.id))
    assert typed_in.household_code == slip and typed_in.entered_by_id == user(session, "secretary-q010101").id
    assert "其中 1 份为社区根据纸质测评表录入" in text(secretary.get(url))
    assert post(secretary, f"{url}/ratings", {"household_code": "0" + slip, "rating": "1"}).status_code == 200
    assert post(secretary, f"{url}/events/accept").status_code == 302
    session.expire_all()
    assert session.get(Project, project.id).state == "results"
    expire(session, latest_notice(session, project, "results"))
    session.commit()
    assert post(secretary, f"{url}/events/close").status_code == 302
    session.expire_all()
    project = session.get(Project, project.id)
    assert project.state == "closed" and str(project.released_amount) == "3599.50"
    page = text(secretary.get(url))
    history = page[page.index('id="history"'):]
    assert history.count("<tr>") == 9  # draft … close: eight steps taken plus the header
    assert "李主任" in page and "社区书记" in history and "街道党工委" in history


def test_every_form_refuses_bad_input_next_to_the_field_and_stores_nothing(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    ids = cworld["Q010101"]
    running, fresh = f"/community/projects/{ids['running']}", f"/community/projects/{ids['fresh']}"
    before = counts(session)

    def refused(url, data, field_name, *needles, multipart=False):
        response = post(secretary, url, data, content_type="multipart/form-data") if multipart else \
            post(secretary, url, data)
        assert response.status_code == 200, (url, response.status_code)
        page = text(response)
        # A field of the project page's forms has an id of its own (``meeting-present``).
        block = re.search(rf'<div class="field has-error">\s*<label for="(?:[\w-]+-)?{field_name}".*?</div>', page, re.S)
        assert block, (url, field_name, page[page.find("has-error") - 200:][:800])
        for needle in needles:
            assert needle in block.group(0), (url, needle, block.group(0))
        assert counts(session) == before, url
        return page

    # Needs: no description, a date that is not one; the typed text stays.
    page = refused("/community/Q010101/needs/new", {"channel": "visit", "received_on": "2026-02-30",
                                                   "description": "留着的文字"}, "received_on")
    assert "留着的文字" in page
    page = refused("/community/Q010101/needs/new", {"channel": "visit", "received_on": "2099-01-01",
                                                   "description": "将来才收到的需求"}, "received_on", "晚于今天")
    assert "将来才收到的需求" in page
    refused("/community/Q010101/needs/new", {"channel": "visit", "received_on": TODAY.isoformat(),
                                            "description": "  "}, "description")
    refused("/community/Q010101/needs/new", {"channel": "fax", "received_on": TODAY.isoformat(),
                                            "description": "x"}, "channel")
    # Projects: a negative estimate, no title, a code already used (the core's refusal).
    base = {"title": "新项目", "project_type": "works", "purpose_code": "small_works", "plan_year": str(TODAY.year),
            "responsible_person": "李主任", "expected_beneficiaries": "10", "budget_district": "100"}
    refused("/community/Q010101/projects/new", {**base, "budget_district": "-5"}, "budget_district", "0.00")
    refused("/community/Q010101/projects/new", {**base, "budget_city": "1.234"}, "budget_city")
    refused("/community/Q010101/projects/new", {**base, "title": ""}, "title")
    refused("/community/Q010101/projects/new", {**base, "expected_beneficiaries": "many"}, "expected_beneficiaries")
    refused("/community/Q010101/projects/new", {**base, "code": "P-RUN"}, "code", "P-RUN")
    refused("/community/Q010101/projects/new", {**base, "purpose_code": "banquet_gift"}, "purpose_code")
    # Meetings (a project in deliberation): more present than due is the core's refusal.
    project = session.get(Project, ids["fresh"])
    from workflows.machine import fire

    staff = user(session, "secretary-q010101")
    fire(session, project, "draft", by=staff, role="community_staff")
    fire(session, project, "deliberate", by=staff, role="community_staff")
    session.commit()
    before = counts(session)
    refused(f"{fresh}/meetings", meeting_data("proposal", present=9), "present", "9")
    refused(f"{fresh}/meetings", meeting_data("proposal", votes_for=-1), "votes_for")
    refused(f"{fresh}/meetings", {**meeting_data("proposal"), "minutes": ""}, "minutes")
    refused(f"{fresh}/meetings", {**meeting_data("proposal"), "attachment": (io.BytesIO(b"MZ\x90\x00\x03"), "a.exe")},
            "attachment", multipart=True)
    # Evidence: a type the core does not accept, no file, a name that lies.
    refused(f"{running}/evidence", {"kind": "photo", "file": (io.BytesIO(b"\x00\x01binary"), "x.bin")}, "file",
            multipart=True)
    refused(f"{running}/evidence", {"kind": "photo"}, "file", multipart=True)
    refused(f"{running}/evidence", {"kind": "photo", "file": (io.BytesIO(PDF), "photo.png")}, "file", multipart=True)
    # Payments: no amount, over the approval (the ledger's figures), a forbidden use.
    pay = {"amount": "100.00", "source": "district", "paid_on": TODAY.isoformat(), "description": "购买灯具",
           "invoice": pdf("发票.pdf")}
    refused(f"{running}/payments/new", {**pay, "amount": "0"}, "amount", multipart=True)
    refused(f"{running}/payments/new", {**pay, "amount": "abc", "invoice": pdf()}, "amount", multipart=True)
    page = refused(f"{running}/payments/new", {**pay, "amount": "9500.00", "invoice": pdf()}, "amount", "9500.00",
                   multipart=True)
    assert "超支" in page or "overspent" in page
    page = refused(f"{running}/payments/new", {**pay, "description": "社区干部聚餐", "invoice": pdf()}, "description",
                   "聚餐", multipart=True)
    refused(f"{running}/payments/new", {**pay, "paid_on": "1999-01-01", "invoice": pdf()}, "paid_on", multipart=True)
    refused(f"{running}/payments/new", {k: v for k, v in pay.items() if k != "invoice"}, "invoice", multipart=True)
    # Answers and ratings.
    refused(f"/community/objections/{ids['objection']}/answer", {"answer": " "}, "answer")


def test_a_refused_step_shows_the_core_reason_at_the_top_and_changes_nothing(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    ids = cworld["Q010101"]
    before = counts(session)
    page = text(post(secretary, f"/community/projects/{ids['fresh']}/events/complete"))
    assert 'class="flash error cm-refused"' in page and "需求征集" in page
    page = text(post(secretary, f"/community/projects/{ids['publicity']}/events/submit_for_review"))
    assert "cm-refused" in page and ("公示" in page or "notice" in page)
    assert counts(session) == before
    session.expire_all()
    assert session.get(Project, ids["fresh"]).state == "needs"
    assert post(secretary, f"/community/projects/{ids['fresh']}/events/no_such_event").status_code == 404


def test_a_failed_vote_is_kept_and_the_rule_check_shows_the_numbers(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    ids = cworld["Q010101"]
    project = session.get(Project, ids["fresh"])
    from workflows.machine import fire

    staff = user(session, "secretary-q010101")
    fire(session, project, "draft", by=staff, role="community_staff")
    fire(session, project, "deliberate", by=staff, role="community_staff")
    session.commit()
    url = f"/community/projects/{project.id}"
    response = post(secretary, f"{url}/meetings", meeting_data("party_members", present=30, votes_for=25))
    assert response.status_code == 302
    page = text(secretary.get(url))
    check = page[page.index('id="meetings"'):]
    assert "✗" in check and "30" in check and "60" in check and "40" in check  # 30 of 60 present, 40 needed


def test_another_community_answers_404_and_a_street_user_reads_but_cannot_act(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    for code in ("Q010102", "XQ010101"):
        ids = cworld[code]
        for url in (f"/community/{code}", f"/community/{code}/needs", f"/community/projects/{ids['running']}",
                    f"/community/evidence/{ids['evidence']}", f"/community/needs/{ids['need']}"):
            assert secretary.get(url).status_code == 404, url
        assert post(secretary, f"/community/projects/{ids['running']}/events/complete").status_code == 404
    assert secretary.get("/community/NOPE").status_code == 404
    assert secretary.get("/community/evidence/999999").status_code == 404

    before = counts(session)
    committee = login_as("committee-s0101")
    ids = cworld["Q010101"]
    for url in ("/community/Q010101", "/community/Q010102", f"/community/projects/{ids['running']}",
                "/community/Q010101/needs", "/community/Q010101/plan", "/community/Q010101/payments",
                f"/community/evidence/{ids['evidence']}"):
        assert committee.get(url).status_code == 200, url
    page = text(committee.get(f"/community/projects/{ids['running']}"))
    assert "/events/complete" not in page and "/payments/new" not in page and "/evidence\"" not in page
    assert committee.get("/community/Q010101/needs/new").status_code == 403
    for url, data in ((f"/community/projects/{ids['running']}/events/complete", {}),
                      ("/community/Q010101/needs/new", {"channel": "visit", "received_on": TODAY.isoformat(),
                                                        "description": "x"}),
                      (f"/community/objections/{ids['objection']}/answer", {"answer": "x"}),
                      (f"/community/projects/{ids['running']}/ratings", {"household_code": "1", "rating": "5"})):
        assert post(committee, url, data).status_code == 403, url
    assert counts(session) == before
    assert login_as("committee-s0101").get("/community/XQ010101").status_code == 404


def test_script_payloads_show_as_text(cworld, session, login_as):
    ids = cworld["Q010101"]
    need = session.get(Need, ids["need"])
    need.description = PAYLOAD
    project = session.get(Project, ids["running"])
    project.title, project.responsible_person, project.description = PAYLOAD, PAYLOAD, PAYLOAD
    session.commit()
    secretary = login_as("secretary-q010101")
    for url in ("/community/Q010101", "/community/Q010101/needs", f"/community/needs/{ids['need']}",
                f"/community/projects/{ids['running']}", f"/community/projects/{ids['publicity']}",
                "/community/Q010101/projects/new", "/community/Q010101/plan?year=%d" % TODAY.year,
                f"/community/projects/{ids['running']}/payments/new"):
        page = text(secretary.get(url))
        assert "<script>alert" not in page and "<img src=x" not in page, url
    page = text(secretary.get(f"/community/projects/{ids['publicity']}"))
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;为什么这么贵？" in page  # the objection
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text(secretary.get(f"/community/projects/{ids['running']}"))


def test_evidence_is_served_by_id_as_an_attachment_with_its_type(cworld, session, login_as):
    ids = cworld["Q010101"]
    response = login_as("oversight-d01").get(f"/community/evidence/{ids['evidence']}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    assert login_as("admin").get(f"/community/evidence/{ids['evidence']}").status_code == 403
    assert login_as("secretary-q010101").get("/community/evidence/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_needs_are_merged_and_linked_and_the_plan_is_submitted(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    ids = cworld["Q010101"]
    keep, duplicate, other = ids["needs"]
    response = post(secretary, "/community/Q010101/needs/merge", {"keep": str(keep), "duplicates": [str(keep)]})
    assert response.status_code == 200 and "has-error" in text(response)
    assert post(secretary, "/community/Q010101/needs/merge",
                {"keep": str(keep), "duplicates": [str(duplicate)]}).status_code == 302
    session.expire_all()
    assert session.get(Need, duplicate).merged_into_id == keep and session.get(Need, keep).supporters == 2
    assert post(secretary, f"/community/needs/{other}", {"project": str(ids["running"])}).status_code == 302
    session.expire_all()
    assert session.get(Need, other).status == "linked"
    foreign = cworld["Q010102"]["running"]
    response = post(secretary, f"/community/needs/{other}", {"project": str(foreign)})
    assert response.status_code == 200 and "has-error" in text(response)

    year = TODAY.year + 1
    from workflows.plans import open_plan

    plan = open_plan(session, by_code(session, "Q010101"), year)
    session.get(Project, ids["fresh"]).plan_id = plan.id
    session.commit()
    plan_url = f"/community/Q010101/plan?year={year}"
    page = text(secretary.get(plan_url))
    assert "P-NEW" in page and f"{year - 1}年12月31日" in page
    assert post(secretary, f"/community/Q010101/plan/submit?year={year}").status_code == 302
    assert "已提交" in text(secretary.get(plan_url)) or "submitted" in text(secretary.get(plan_url))
    empty = post(secretary, f"/community/Q010101/plan/submit?year={year + 5}", follow_redirects=True)
    assert 'class="flash error"' in text(empty)


def test_the_dashboard_shows_money_steps_and_what_is_overdue(cworld, session, login_as):
    ids = cworld["Q010101"]
    project = session.get(Project, ids["fresh"])
    project.state_since = project.state_since - dt.timedelta(days=400)
    session.commit()
    page = text(login_as("secretary-q010101").get("/community/Q010101"))
    assert "200,000.00" in page and "1,000.00" in page and "199,000.00" in page  # received, spent, balance
    assert f"/community/projects/{ids['running']}" in page
    assert "组织实施" in page
    assert "/community/Q010101/plan" in page
    filtered = text(login_as("secretary-q010101").get("/community/Q010101?state=publicity"))
    assert "P-PUB" in filtered and "P-RUN" not in filtered.split('id="projects"')[1]


def test_a_residents_contact_is_shown_to_the_secretary_only(world, session, login_as):
    from app.public.models import NeedContact
    from ledger.organisations import by_code
    from workflows.needs import Need

    need = session.scalar(select(Need).where(Need.community_id == by_code(session, "Q010101").id).order_by(Need.id))
    session.add(NeedContact(need_id=need.id, contact="13912345678"))
    session.commit()
    assert "13912345678" in login_as("secretary-q010101").get(f"/community/needs/{need.id}").get_data(as_text=True)
    assert "13912345678" not in login_as("committee-s0101").get(f"/community/needs/{need.id}").get_data(as_text=True)


def test_a_need_form_sent_twice_adds_one_need_and_says_so(cworld, session, login_as):
    secretary = login_as("secretary-q010101")
    token = csrf_token(secretary, "/community/Q010101/needs/new")
    data = {"csrf_token": token, "channel": "visit", "received_on": TODAY.isoformat(), "description": "单元门禁坏了"}
    before = session.scalar(select(func.count(Need.id)))
    first = secretary.post("/community/Q010101/needs/new", data=data, follow_redirects=True)
    again = secretary.post("/community/Q010101/needs/new", data=data, follow_redirects=True)  # back, then resend
    assert session.scalar(select(func.count(Need.id))) == before + 1
    need = session.scalars(select(Need).order_by(Need.id.desc())).first()
    assert f"需求 #{need.id} 已经登记过，未重复登记" in text(again) and "已经登记过" not in text(first)
