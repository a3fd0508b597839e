"""What residents send: a need, an objection, a rating; refusals, escaping, the rate limit."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time

import pytest
from sqlalchemy import func, select

from app.public.models import NeedContact
from app.public.operations import contact_for
from ledger.organisations import by_code
from ledger.users import User
from workflows.household_codes import household_code
from workflows.needs import Need
from workflows.projects import Project
from workflows.publicity import Objection, answer_objection, latest_notice
from workflows.satisfaction import SatisfactionRating

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
_addresses = (f"192.0.2.{n}" for n in itertools.count(1))


def project(session, community: str, code: str) -> Project:
    org = by_code(session, community)
    return session.scalar(select(Project).where(Project.community_id == org.id, Project.code == code))


def token(client, path: str = "/") -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def post(client, url: str, data: dict, address: str | None = None):
    """Post a form from its own address, so the per-address limit stays out of the way."""
    return client.post(url, data={"csrf_token": token(client), **data},
                       environ_base={"REMOTE_ADDR": address or next(_addresses)})


def field_errors(html: str) -> dict[str, list[str]]:
    """The messages shown next to each field: {field id: [message, ...]}."""
    found = {}
    for block in re.findall(r'<div class="field has-error">(.*?)</div>', html, flags=re.S):
        name = re.search(r'<label for="([^"]+)"', block).group(1)
        found[name] = re.findall(r'<p class="error" role="alert">(.*?)</p>', block)
    return found


def counts(session):
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Need, NeedContact, Objection,
                                                                             SatisfactionRating))


# -- needs -----------------------------------------------------------------------------

GOOD_NEED = {"category": "便民服务", "description": "小区南门路灯坏了，晚上很黑。", "contact": "138 0013 8000"}


def test_a_need_is_stored_online_with_its_contact_for_staff_only(world, app, session):
    client = app.test_client()
    response = post(client, "/c/Q010101/needs/new", GOOD_NEED)
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/Q010101/needs/thanks")
    need = session.scalars(select(Need).order_by(Need.id.desc())).first()
    assert need.community_id == by_code(session, "Q010101").id
    assert (need.channel, need.category, need.description, need.recorded_by_id) == \
        ("online", "便民服务", "小区南门路灯坏了，晚上很黑。", None)
    assert contact_for(session, need) == "138 0013 8000"
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "谢谢，您的需求已收到" in thanks and f"Q010101-{need.id:06d}" in thanks
    for url in ("/c/Q010101", "/"):
        assert "138 0013 8000" not in client.get(url).get_data(as_text=True)


def test_a_need_without_contact_stores_no_contact(world, app, session):
    before = counts(session)
    response = post(app.test_client(), "/c/Q010102/needs/new", {**GOOD_NEED, "contact": "   "})
    assert response.status_code == 302
    assert counts(session) == (before[0] + 1, before[1], before[2], before[3])


def test_the_thanks_page_without_a_submission_leads_to_the_form(world, app):
    response = app.test_client().get("/c/Q010101/needs/thanks")
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/Q010101/needs/new")


def test_the_thanks_page_shows_nothing_of_another_community(world, app):
    client = app.test_client()
    post(client, "/c/Q010101/needs/new", GOOD_NEED)
    response = client.get("/c/Q010102/needs/thanks")
    assert response.status_code == 302


@pytest.mark.parametrize("change,field,message", [
    ({"description": ""}, "description", "请填写需求内容。"),
    ({"description": "   \n  "}, "description", "请填写需求内容。"),
    ({"description": "长" * 2001}, "description", "最多填写 2000 个字。"),
    ({"category": ""}, "category", "请选择最合适的类别。"),
    ({"category": "职工福利/奖金"}, "category", "请从列出的类别中选择一项。"),
    ({"category": SCRIPT}, "category", "请从列出的类别中选择一项。"),
    ({"contact": "1" * 101}, "contact", "最多填写 100 个字。"),
])
def test_a_bad_need_is_refused_next_to_its_field_and_nothing_is_stored(world, app, session, change, field,
                                                                          message):
    before = counts(session)
    response = post(app.test_client(), "/c/Q010101/needs/new", {**GOOD_NEED, **change})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_errors(html) == {field: [message]}
    assert counts(session) == before
    if field != "description":
        assert GOOD_NEED["description"] in html  # what the resident typed is kept


def test_a_need_without_a_csrf_token_is_refused(world, app, session):
    before = counts(session)
    response = app.test_client().post("/c/Q010101/needs/new", data=GOOD_NEED)
    assert response.status_code == 400
    assert counts(session) == before


def test_a_need_with_a_script_shows_as_text(world, app, session):
    client = app.test_client()
    response = post(client, "/c/Q010101/needs/new", {**GOOD_NEED, "description": SCRIPT, "contact": SCRIPT})
    assert response.status_code == 302
    need = session.scalars(select(Need).order_by(Need.id.desc())).first()
    assert need.description == SCRIPT  # kept as typed, escaped where shown
    refused = post(client, "/c/Q010101/needs/new", {**GOOD_NEED, "category": "", "description": SCRIPT})
    html = refused.get_data(as_text=True)
    assert SCRIPT not in html and ESCAPED in html


# -- objections ------------------------------------------------------------------------

def running_notice(session):
    return latest_notice(session, project(session, "Q010101", "P03"), "resolution")


def test_an_objection_during_the_period_is_recorded_and_shown_without_contact(world, app, session):
    notice = running_notice(session)
    client = app.test_client()
    response = post(client, f"/c/Q010101/notices/{notice.id}/objections",
                    {"text": "托管费用应当公开明细。", "contact": "13900001111"})
    assert response.status_code == 302
    objection = session.scalars(select(Objection).order_by(Objection.id.desc())).first()
    assert (objection.notice_id, objection.text, objection.contact) == (notice.id, "托管费用应当公开明细。", "13900001111")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"您的异议已收到（编号 {objection.id}）" in page
    assert "托管费用应当公开明细。" in page and "13900001111" not in page


def test_an_objection_after_the_period_is_refused_with_the_reason(world, app, session):
    notice = latest_notice(session, project(session, "Q010101", "P01"), "results")
    assert not notice.is_open(dt.datetime.now(dt.timezone.utc))
    before = counts(session)
    page = app.test_client().get(f"/c/Q010101/notices/{notice.id}").get_data(as_text=True)
    assert "公示期已满" in page and "提交异议" not in page
    response = post(app.test_client(), f"/c/Q010101/notices/{notice.id}/objections", {"text": "我有异议。"})
    assert response.status_code == 200
    assert "本公示的公示期已于" in response.get_data(as_text=True)
    assert "异议只在" in response.get_data(as_text=True)
    assert counts(session) == before


@pytest.mark.parametrize("data,message", [
    ({"text": ""}, "请填写异议内容。"),
    ({"text": "   "}, "请填写异议内容。"),
    ({"text": "异" * 2001}, "最多填写 2000 个字。"),
    ({"text": "有异议", "contact": "9" * 101}, "最多填写 100 个字。"),
])
def test_a_bad_objection_is_refused_next_to_its_field(world, app, session, data, message):
    notice = running_notice(session)
    before = counts(session)
    response = post(app.test_client(), f"/c/Q010101/notices/{notice.id}/objections", data)
    assert response.status_code == 200
    assert message in [m for ms in field_errors(response.get_data(as_text=True)).values() for m in ms]
    assert counts(session) == before


def test_the_answer_is_shown_publicly_signed_by_the_body_not_the_person(world, app, session):
    notice = running_notice(session)
    objection = notice.objections[0]
    secretary = session.scalar(select(User).where(User.username == "secretary-q010101"))
    answer_objection(session, objection, "托管时间将延长到下午六点。", by=secretary, role="community_staff")
    session.commit()
    html = app.test_client().get(f"/c/Q010101/notices/{notice.id}").get_data(as_text=True)
    assert "托管时间将延长到下午六点。" in html
    assert "社区党组织 答复" in html
    assert secretary.display_name not in html and "secretary-q010101" not in html
    assert "13800000000" not in html


def test_script_payloads_in_objections_titles_and_notice_text_show_as_text(world, app, session):
    notice = running_notice(session)
    subject = project(session, "Q010101", "P03")
    subject.title = f"托管{SCRIPT}"
    subject.description = SCRIPT
    by_code(session, "Q010101").name = f"春华{SCRIPT}"
    notice.title = f"决议公开：{SCRIPT}"
    notice.body = SCRIPT
    session.commit()
    client = app.test_client()
    assert post(client, f"/c/Q010101/notices/{notice.id}/objections", {"text": SCRIPT}).status_code == 302
    for url in ("/", "/c/Q010101", f"/c/Q010101/notices/{notice.id}", f"/c/Q010101/projects/{subject.id}",
                "/c/Q010101/needs/new"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html, url
        assert ESCAPED in html, url


# -- ratings ---------------------------------------------------------------------------

def slip(app, subject: Project, number: int) -> str:
    """The code on household ``number``'s slip for the project's community and plan year."""
    return household_code(app.config["SECRET_KEY"], subject.community.code, subject.plan_year, number)


def test_a_household_rates_a_project_once(world, app, session):
    subject = project(session, "Q020101", "P02")  # at acceptance: open for rating
    client = app.test_client()
    url = f"/c/Q020101/projects/{subject.id}/rating"
    code = slip(app, subject, 7)
    assert "每户对每个项目只能评价一次" in client.get(f"/c/Q020101/projects/{subject.id}").get_data(as_text=True)
    response = post(client, url, {"household_code": f" {code.lower()} ", "rating": "4"})  # as typed on a phone
    assert response.status_code == 302
    assert "谢谢！您家的评价已记录。" in client.get(response.headers["Location"]).get_data(as_text=True)
    rating = session.scalar(select(SatisfactionRating).where(SatisfactionRating.project_id == subject.id,
                                                             SatisfactionRating.household_code == code))
    assert rating.rating == 4
    before = counts(session)
    again = post(client, url, {"household_code": code, "rating": "1"})
    assert again.status_code == 200
    assert field_errors(again.get_data(as_text=True)) == {"household_code": [f"住户 {code} 已对本项目评过分。"]}
    assert counts(session) == before
    page = client.get(f"/c/Q020101/projects/{subject.id}").get_data(as_text=True)
    assert code not in page and "83.33%" in page  # 5 of 6 households rated 4 or 5


@pytest.mark.parametrize("typed", ["1-101", "7-707", "{other_community}", "{other_year}", "{changed_number}"])
def test_a_code_the_community_did_not_hand_out_is_refused(world, app, session, typed):
    subject = project(session, "Q020101", "P02")
    code = slip(app, subject, 7)
    typed = typed.format(
        other_community=household_code(app.config["SECRET_KEY"], "Q010101", subject.plan_year, 7),
        other_year=household_code(app.config["SECRET_KEY"], "Q020101", subject.plan_year - 1, 7),
        changed_number="8-" + code.split("-")[1],
    )
    before = counts(session)
    response = post(app.test_client(), f"/c/Q020101/projects/{subject.id}/rating",
                    {"household_code": typed, "rating": "5"})
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert list(errors) == ["household_code"] and "不是本社区" in errors["household_code"][0]
    assert counts(session) == before


@pytest.mark.parametrize("community,code", [("Q010101", "P01"), ("Q010101", "P02"), ("Q010101", "P03")])
def test_a_project_not_open_for_rating_is_refused_with_a_clear_message(world, app, session, community, code):
    subject = project(session, community, code)  # closed, under way, on notice
    before = counts(session)
    client = app.test_client()
    assert "提交评价" not in client.get(f"/c/{community}/projects/{subject.id}").get_data(as_text=True)
    response = post(client, f"/c/{community}/projects/{subject.id}/rating", {"household_code": "8-808", "rating": "5"})
    assert response.status_code == 200
    assert "本项目当前不接受评价" in response.get_data(as_text=True)
    assert counts(session) == before


@pytest.mark.parametrize("data,field,message", [
    ({"household_code": "", "rating": "5"}, "household_code", "请填写社区发给您家的住户测评码。"),
    ({"household_code": "   ", "rating": "5"}, "household_code", "请填写社区发给您家的住户测评码。"),
    ({"household_code": "x" * 33, "rating": "5"}, "household_code", "住户测评码最多 32 个字符。"),
])
def test_a_bad_household_code_is_refused_next_to_the_field(world, app, session, data, field, message):
    subject = project(session, "Q020101", "P02")
    before = counts(session)
    response = post(app.test_client(), f"/c/Q020101/projects/{subject.id}/rating", data)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True)) == {field: [message]}
    assert counts(session) == before


@pytest.mark.parametrize("rating", ["", "0", "6", "4.5", "five", SCRIPT])
def test_a_bad_rating_is_refused(world, app, session, rating):
    subject = project(session, "Q020101", "P02")
    before = counts(session)
    data = {"household_code": "6-606"} | ({"rating": rating} if rating else {})
    response = post(app.test_client(), f"/c/Q020101/projects/{subject.id}/rating", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "请选择 1 至 5 分中的一项。" in html and "<script>alert" not in html
    assert counts(session) == before


# -- spam ------------------------------------------------------------------------------

CEILING_MESSAGE = "您所在的网络刚刚提交了很多表单，本次尚未保存"


def test_households_on_one_wifi_all_rate_at_the_acceptance_meeting(world, app, session):
    subject = project(session, "Q020101", "P02")
    client = app.test_client()
    url = f"/c/Q020101/projects/{subject.id}/rating"
    before = counts(session)
    statuses = [post(client, url, {"household_code": slip(app, subject, n), "rating": "5"},
                     address="203.0.113.50").status_code for n in range(7, 19)]
    assert statuses == [302] * 12  # twelve households, one address: nobody is turned away
    assert counts(session)[3] == before[3] + 12


def test_over_the_ceiling_the_form_comes_back_with_what_was_typed(world, app, session):
    app.config["PUBLIC_POST_RATE_LIMIT"] = "5 per minute"  # the default is 60; the rule is the same
    client = app.test_client()
    for _ in range(5):
        assert post(client, "/c/Q010101/needs/new", GOOD_NEED, address="198.51.100.7").status_code == 302
    before = counts(session)
    typed = {**GOOD_NEED, "description": "三号楼电梯经常停运，老人上下楼困难。"}
    limited = post(client, "/c/Q010101/needs/new", typed, address="198.51.100.7")
    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert CEILING_MESSAGE in html
    assert "三号楼电梯经常停运，老人上下楼困难。" in html and "138 0013 8000" in html  # nothing typed is lost
    assert counts(session) == before
    # Reading stays open, and another address may still post.
    assert client.get("/c/Q010101/needs/new", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200
    assert post(client, "/c/Q010101/needs/new", GOOD_NEED, address="198.51.100.8").status_code == 302


@pytest.mark.parametrize("endpoint", ["object", "rate"])
def test_objections_and_ratings_over_the_ceiling_keep_their_form(world, app, session, endpoint):
    app.config["PUBLIC_POST_RATE_LIMIT"] = "5 per minute"
    notice = running_notice(session)
    subject = project(session, "Q020101", "P02")
    url, data, typed = {
        "object": (f"/c/Q010101/notices/{notice.id}/objections", {"text": "有异议：预算偏高"}, "有异议：预算偏高"),
        "rate": (f"/c/Q020101/projects/{subject.id}/rating", {"household_code": "1-101", "rating": "5"}, "1-101"),
    }[endpoint]
    client = app.test_client()
    responses = [post(client, url, data, address="203.0.113.9") for _ in range(6)]
    assert [r.status_code for r in responses[:5]].count(429) == 0
    assert responses[-1].status_code == 429
    html = responses[-1].get_data(as_text=True)
    assert CEILING_MESSAGE in html and typed in html


def test_nul_characters_never_reach_the_database(world, app, session):
    """PostgreSQL cannot keep NUL in text: it is dropped, and a text of nothing else is empty."""
    notice = running_notice(session)
    subject = project(session, "Q020101", "P02")
    client = app.test_client()
    before = counts(session)
    empty = post(client, "/c/Q010101/needs/new", {**GOOD_NEED, "description": "\x00\x00"})
    assert empty.status_code == 200 and "请填写需求内容。" in empty.get_data(as_text=True)
    assert post(client, f"/c/Q010101/notices/{notice.id}/objections", {"text": "\x00"}).status_code == 200
    assert post(client, f"/c/Q020101/projects/{subject.id}/rating",
                {"household_code": "\x00", "rating": "5\x00"}).status_code == 200
    assert counts(session) == before
    assert post(client, "/c/Q010101/needs/new", {**GOOD_NEED, "description": "路灯\x00坏了",
                                                  "contact": "\x00"}).status_code == 302
    assert session.scalars(select(Need).order_by(Need.id.desc())).first().description == "路灯坏了"
    assert counts(session)[1] == before[1]  # a contact of only NUL is no contact


def test_a_form_sent_twice_is_kept_once_and_answered_as_the_first_time(world, app, session):
    """The back button and a double click send the same page's form again: one objection (each
    blocks the project until answered), one need; a fresh page is a new submission."""
    notice = running_notice(session)
    client = app.test_client()
    page_token = token(client, f"/c/Q010101/notices/{notice.id}")
    url, objection = f"/c/Q010101/notices/{notice.id}/objections", {"text": "请公开托管费用明细。", "contact": ""}
    before = session.scalar(select(func.count(Objection.id)))
    answers = [client.post(url, data={"csrf_token": page_token, **objection},
                           environ_base={"REMOTE_ADDR": next(_addresses)}) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert session.scalar(select(func.count(Objection.id))) == before + 1
    kept = session.scalars(select(Objection).order_by(Objection.id.desc())).first()
    assert f"编号 {kept.id}" in client.get(answers[-1].headers["Location"]).get_data(as_text=True)
    time.sleep(1.1)  # a page's form token carries its second
    post(client, url, objection)  # a fresh page: the resident objects again, on purpose
    assert session.scalar(select(func.count(Objection.id))) == before + 2

    needs_before = session.scalar(select(func.count(Need.id)))
    need_token = token(client, "/c/Q010101/needs/new")
    for _ in range(2):
        sent = client.post("/c/Q010101/needs/new", data={"csrf_token": need_token, **GOOD_NEED},
                           environ_base={"REMOTE_ADDR": next(_addresses)})
        assert sent.status_code == 302
    assert session.scalar(select(func.count(Need.id))) == needs_before + 1
