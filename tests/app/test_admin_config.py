"""The administrator's configuration: purpose lists, the chart of accounts, process
definitions and community workflow settings — each refusal next to its field, every
object of another city out of reach, and changes that really reach posting and projects."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from ledger.accounts import Account, chart_of
from ledger.dimensions import PurposeCategory, negative_rules, purpose
from ledger.organisations import by_code
from workflows.definitions import CommunitySettings, StoredDefinition, current_definition
from workflows.process import EIGHT_STEPS
from tests.app.conftest import csrf_token
from tests.app.test_finance_setup import fin  # noqa: F401
from tests.app.test_finance_vouchers import enter, vouchers
from tests.app.test_finance_setup import spending_lines


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/home"), **data})


def field_errors(page: str, name: str) -> str:
    """The text of the form field ``name``'s block (label, input and its error messages)."""
    for block in re.findall(r'<div class="field[^"]*">.*?</div>', page, re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name}")


def city(session, code: str = "DEMO"):
    return by_code(session, code)


def account(session, code: str, city_code: str = "DEMO") -> Account:
    chart = chart_of(session, city(session, city_code))
    return session.scalar(select(Account).where(Account.chart_id == chart.id, Account.code == code))


# Purpose lists ---------------------------------------------------------------------------

def test_the_page_shows_both_lists_of_the_admins_city_only(world, session, login_as):
    page = login_as("admin").get("/admin/purposes").get_data(as_text=True)
    assert "正面清单" in page and "负面清单" in page
    assert "便民服务" in page and "宴请/礼品" in page and "购物卡" in page
    assert "外市" not in page


def test_a_new_negative_keyword_makes_finance_refuse_a_line_mentioning_it(fin, session, login_as):
    demo = city(session)
    response = post(login_as("admin"), f"/admin/cities/{demo.id}/purposes/new", code="tea_gifts",
                    name="茶叶礼品", listed="negative", keywords="茶叶 | 茶礼 |")
    assert response.status_code == 302
    session.expire_all()
    added = purpose(session, demo, "tea_gifts")
    assert added.keyword_list == ["茶叶", "茶礼"] and added in negative_rules(session, demo.id)

    clerk = login_as("finance-s0101")
    before = vouchers(session)
    refused = enter(clerk, fin.book.id, spending_lines("120.00", memo="采购茶叶"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "茶叶礼品" in page
    assert vouchers(session) == before

    # Deactivated, the entry no longer refuses: the same voucher is saved.
    assert post(login_as("admin"), f"/admin/purposes/{added.id}/active").status_code == 302
    session.expire_all()
    assert purpose(session, demo, "tea_gifts").is_active is False
    accepted = enter(clerk, fin.book.id, spending_lines("120.00", memo="采购茶叶"))
    assert accepted.status_code == 302 and vouchers(session) == before + 1


def test_an_edited_keyword_list_takes_effect(world, session, login_as):
    rule = purpose(session, city(session), "banquet_gift")
    response = post(login_as("admin"), f"/admin/purposes/{rule.id}/edit", name="宴请/礼品/旅游",
                    keywords="宴请|旅游")
    assert response.status_code == 302
    session.expire_all()
    rule = purpose(session, city(session), "banquet_gift")
    assert rule.name == "宴请/礼品/旅游" and rule.keyword_list == ["宴请", "旅游"]


def test_refusals_are_shown_next_to_their_fields(world, session, login_as):
    admin = login_as("admin")
    url = f"/admin/cities/{city(session).id}/purposes/new"
    before = session.scalar(select(func.count(PurposeCategory.id)))

    duplicate = post(admin, url, code="culture", name="又一个", listed="positive", keywords="").get_data(as_text=True)
    assert "已在本市的清单中" in field_errors(duplicate, "code") and 'value="又一个"' in duplicate

    bad_code = post(admin, url, code="Bad Code", name="x", listed="positive").get_data(as_text=True)
    assert "须以小写字母开头" in field_errors(bad_code, "code")

    keywords = post(admin, url, code="sports", name="体育", listed="positive", keywords="球").get_data(as_text=True)
    assert "只有负面清单的条目可以设置关键词" in field_errors(keywords, "keywords")

    blank = post(admin, url, code="sports", name="   ", listed="positive").get_data(as_text=True)
    assert 'class="error"' in field_errors(blank, "name")
    assert session.scalar(select(func.count(PurposeCategory.id))) == before


def test_the_rule_against_spending_without_a_project_stays_active(world, session, login_as):
    rule = purpose(session, city(session), "no_project")
    admin = login_as("admin")
    response = post(admin, f"/admin/purposes/{rule.id}/active")
    assert response.status_code == 302
    assert "不能停用" in admin.get("/admin/purposes").get_data(as_text=True)
    session.expire_all()
    assert purpose(session, city(session), "no_project").is_active


def test_a_deactivated_positive_use_leaves_the_choices_and_comes_back(world, session, login_as):
    admin = login_as("admin")
    culture = purpose(session, city(session), "culture")
    post(admin, f"/admin/purposes/{culture.id}/active")
    session.expire_all()
    assert not purpose(session, city(session), "culture").is_active
    assert "重新启用" in admin.get("/admin/purposes").get_data(as_text=True)
    post(admin, f"/admin/purposes/{culture.id}/active")
    session.expire_all()
    assert purpose(session, city(session), "culture").is_active


def test_a_script_in_a_category_name_shows_as_text(world, session, login_as):
    payload = '<script>alert("x")</script>'
    response = post(login_as("admin"), f"/admin/cities/{city(session).id}/purposes/new", code="xss",
                    name=payload, listed="negative", keywords="<img src=x onerror=alert(1)>")
    assert response.status_code == 302
    page = login_as("admin").get("/admin/purposes").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


# Chart of accounts ------------------------------------------------------------------------

def test_the_chart_shows_both_bases_as_a_tree(world, session, login_as):
    page = login_as("admin").get("/admin/accounts").get_data(as_text=True)
    assert "财务会计" in page and "预算会计" in page
    assert page.index("5001") < page.index("业务活动费用") < page.index("7101")


def test_a_sub_account_inherits_from_its_parent(world, session, login_as):
    parent = account(session, "5901")
    response = post(login_as("admin"), f"/admin/accounts/{parent.id}/children/new", code="590101", name="其他费用-杂项")
    assert response.status_code == 302
    session.expire_all()
    child = account(session, "590101")
    assert (child.parent_id, child.category, child.basis, child.normal_side) == (
        parent.id, "expense", "financial", "debit")
    page = login_as("admin").get("/admin/accounts").get_data(as_text=True)
    assert 'class="indent-1"><code>590101</code>' in page


def test_sub_account_refusals_are_next_to_the_code(world, session, login_as):
    admin = login_as("admin")
    parent = account(session, "5901")
    wrong = post(admin, f"/admin/accounts/{parent.id}/children/new", code="600101", name="x").get_data(as_text=True)
    assert "5901" in field_errors(wrong, "code") and 'class="error"' in field_errors(wrong, "code")
    letters = post(admin, f"/admin/accounts/{parent.id}/children/new", code="5901ab", name="x").get_data(as_text=True)
    assert 'class="error"' in field_errors(letters, "code")
    post(admin, f"/admin/accounts/{parent.id}/children/new", code="590102", name="一")
    again = post(admin, f"/admin/accounts/{parent.id}/children/new", code="590102", name="二").get_data(as_text=True)
    assert "590102" in field_errors(again, "code") and 'class="error"' in field_errors(again, "code")


def test_rename_keeps_the_code(world, session, login_as):
    target = account(session, "5901")
    assert post(login_as("admin"), f"/admin/accounts/{target.id}/edit", name="其他费用（社区）").status_code == 302
    session.expire_all()
    assert account(session, "5901").name == "其他费用（社区）"


def test_deactivation_is_refused_with_the_reason(fin, session, login_as):
    admin = login_as("admin")
    clerk, reviewer, poster = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    from tests.app.test_finance_vouchers import allocate
    allocate(clerk, reviewer, poster, session, fin.book.id)  # posts lines on 1011, 4001, 6001, 8001
    used = account(session, "1011")
    post(admin, f"/admin/accounts/{used.id}/active")
    assert "已记账分录，不能停用" in admin.get("/admin/accounts").get_data(as_text=True)

    parent = account(session, "5901")
    post(admin, f"/admin/accounts/{parent.id}/children/new", code="590101", name="杂项")
    post(admin, f"/admin/accounts/{parent.id}/active")
    assert "590101" in admin.get("/admin/accounts").get_data(as_text=True)
    session.expire_all()
    assert account(session, "1011").is_active and account(session, "5901").is_active

    child = account(session, "590101")
    assert post(admin, f"/admin/accounts/{child.id}/active").status_code == 302
    session.expire_all()
    assert not account(session, "590101").is_active
    page = admin.get("/admin/accounts").get_data(as_text=True)
    assert "已停用" in page


# Processes ----------------------------------------------------------------------------------

def _body(**changes) -> str:
    return json.dumps({**EIGHT_STEPS.to_dict(), **changes}, ensure_ascii=False)


def test_a_definition_shows_its_steps_transitions_and_diagram(world, session, login_as):
    admin = login_as("admin")
    row = current_definition(session)
    session.commit()
    index = admin.get("/admin/processes").get_data(as_text=True)
    assert "eight_steps" in index and f"/admin/processes/{row.id}" in index and "春华一社区" in index
    page = admin.get(f"/admin/processes/{row.id}").get_data(as_text=True)
    assert "需求征集" in page and "审核通过并备案" in page and "approved_amount" in page
    assert "stateDiagram-v2" in page and "review --&gt; implementation" in page


def test_a_new_version_is_validated_and_stored_beside_the_old(world, session, login_as):
    admin = login_as("admin")
    url = f"/admin/cities/{city(session).id}/processes/new"
    assert "demo_eight_steps" in admin.get(url).get_data(as_text=True)  # the prefilled body

    first = post(admin, url, body=_body(name="demo_eight_steps", publicity_days=10))
    assert first.status_code == 302
    second = post(admin, url, body=_body(name="demo_eight_steps", publicity_days=5))
    assert second.status_code == 302
    session.expire_all()
    rows = session.scalars(select(StoredDefinition).where(StoredDefinition.name == "demo_eight_steps")
                           .order_by(StoredDefinition.version)).all()
    assert [(r.version, r.body["publicity_days"]) for r in rows] == [(1, 10), (2, 5)]
    assert "公示期 5 天" in admin.get(second.headers["Location"]).get_data(as_text=True)


def test_bad_definitions_are_refused_next_to_the_field(world, session, login_as):
    admin = login_as("admin")
    url = f"/admin/cities/{city(session).id}/processes/new"
    before = session.scalar(select(func.count(StoredDefinition.id)))
    cases = {
        '{"name": "demo_x", ': "不是有效的 JSON",
        "[1, 2]": "须是一个 JSON 对象",
        _body(name="demo_x", steps=[]): "至少要有一个步骤",
        json.dumps({"name": "demo_x", "title": "x", "transitions": [], "meeting_rules": []}): "缺少 steps",
        _body(name="demo_x", steps=[{"id": "a", "title": "A"}]): "缺少 number",
        _body(name="demo_x", publicity_days="seven"): "整数天数",
        _body(name="eight_steps"): "不属于本市",
        _body(name="demo_x", transitions=[{**EIGHT_STEPS.to_dict()["transitions"][0], "target": "nowhere"}]):
            "unknown step",
        _body(name="demo_x", transitions=EIGHT_STEPS.to_dict()["transitions"][:2]): "构不成可运行的流程",
    }
    for body, message in cases.items():
        response = post(admin, url, body=body)
        assert response.status_code == 200, body
        assert message in field_errors(response.get_data(as_text=True), "body"), body
    assert session.scalar(select(func.count(StoredDefinition.id))) == before


def test_community_settings_follow_the_citys_variant(world, session, login_as):
    admin = login_as("admin")
    post(admin, f"/admin/cities/{city(session).id}/processes/new", body=_body(name="demo_short"))
    community = by_code(session, "Q010102")
    url = f"/admin/communities/{community.id}/workflow"
    assert "demo_short" in admin.get(url).get_data(as_text=True)
    response = post(admin, url, process_name="demo_short", one_shoulder="y", plan_due_month="11", plan_due_day="30")
    assert response.status_code == 302
    session.expire_all()
    settings = session.get(CommunitySettings, community.id)
    assert (settings.process_name, settings.one_shoulder, settings.plan_due_month, settings.plan_due_day) == (
        "demo_short", True, 11, 30)

    bad_day = post(admin, url, process_name="eight_steps", plan_due_month="2", plan_due_day="30").get_data(as_text=True)
    assert "2 月只有 1 到 28 日" in field_errors(bad_day, "plan_due_day")
    other = post(admin, url, process_name="xdemo_anything", plan_due_month="12", plan_due_day="31").get_data(as_text=True)
    assert 'class="error"' in field_errors(other, "process_name")
    session.expire_all()
    assert session.get(CommunitySettings, community.id).process_name == "demo_short"


# Another city ---------------------------------------------------------------------------------

def test_objects_of_another_city_answer_404(world, session, login_as):
    from workflows.definitions import save_definition
    from workflows.process import ProcessDefinition

    foreign = city(session, "XDEMO")
    variant = save_definition(session, ProcessDefinition.from_dict({**EIGHT_STEPS.to_dict(), "name": "xdemo_own"}))
    session.commit()
    admin = login_as("admin")
    rule = purpose(session, foreign, "banquet_gift")
    other_account = account(session, "5901", "XDEMO")
    community = by_code(session, "XQ010101")
    for method, url in (
        ("get", f"/admin/purposes/{rule.id}/edit"), ("post", f"/admin/purposes/{rule.id}/active"),
        ("get", f"/admin/cities/{foreign.id}/purposes/new"), ("get", f"/admin/accounts/{other_account.id}/edit"),
        ("post", f"/admin/accounts/{other_account.id}/active"),
        ("get", f"/admin/accounts/{other_account.id}/children/new"),
        ("get", f"/admin/processes/{variant.id}"), ("get", f"/admin/cities/{foreign.id}/processes/new"),
        ("get", f"/admin/communities/{community.id}/workflow"),
    ):
        response = admin.get(url) if method == "get" else post(admin, url)
        assert response.status_code == 404, url
    pages = "".join(admin.get(p).get_data(as_text=True) for p in ("/admin/accounts", "/admin/processes"))
    assert "xdemo_own" not in pages and "外市" not in pages
    session.expire_all()
    assert purpose(session, foreign, "banquet_gift").is_active and account(session, "5901", "XDEMO").is_active
