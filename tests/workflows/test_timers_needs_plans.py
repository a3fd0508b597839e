"""The timers, the needs pool, annual plans and the public board."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.errors import RoleRefused, WorkflowError
from workflows.needs import LINKED, MERGED, needs_pool, merge_needs
from workflows.plans import open_plan, review_plan, submit_plan
from workflows.publicity import answer_objection, current_notices, latest_notice, object_to
from workflows.timers import end_publicity, overdue_steps, plan_deadlines

UTC = dt.timezone.utc


def test_end_publicity_closes_and_advances_once(flow):
    project = flow.walk(flow.project(), "publicity")
    notice = latest_notice(flow.session, project, "resolution")
    assert end_publicity(flow.session) == []  # nothing has ended yet
    after = notice.ends_at + dt.timedelta(minutes=1)
    outcomes = end_publicity(flow.session, now=after)
    assert [(o.project_id, o.closed, o.advanced_by) for o in outcomes] == [(project.id, True, "submit_for_review")]
    assert notice.closed_at == after and project.state == "review"
    from workflows.events import history

    last = history(flow.session, project)[-1]
    assert (last.role, last.actor_id, last.at) == ("system", None, after)
    assert end_publicity(flow.session, now=after) == []  # idempotent


def test_end_publicity_waits_for_answers(flow):
    project = flow.walk(flow.project(), "publicity")
    notice = latest_notice(flow.session, project, "resolution")
    objection = object_to(flow.session, notice, "选址不合理")
    after = notice.ends_at + dt.timedelta(hours=1)
    [outcome] = end_publicity(flow.session, now=after)
    assert outcome.closed and outcome.advanced_by is None and "not answered" in outcome.refused
    assert project.state == "publicity"
    answer_objection(flow.session, objection, "已调整选址", by=flow.staff, role="community_staff")
    [outcome] = end_publicity(flow.session, now=after)
    assert outcome.advanced_by == "submit_for_review" and not outcome.closed


def test_current_notices_are_the_public_board(flow):
    first = flow.walk(flow.project("P1"), "publicity")
    flow.walk(flow.project("P2"), "deliberation")
    flow.walk(flow.project("P3", community=flow.neighbour), "publicity")
    board = current_notices(flow.session, flow.community)
    assert [n.project_id for n in board] == [first.id]
    assert board[0].title.startswith("决议公开：")
    assert current_notices(flow.session, flow.community, at=board[0].ends_at) == []


def test_overdue_steps(flow):
    project = flow.walk(flow.project(), "review")
    now = project.state_since + dt.timedelta(days=31)
    [late] = overdue_steps(flow.session, now=now)
    assert (late.code, late.step, late.max_days, late.days_over) == ("P1", "review", 30, 1)
    assert overdue_steps(flow.session, now=project.state_since + dt.timedelta(days=29)) == []


def test_plans_due_at_the_end_of_december(flow):
    plan = open_plan(flow.session, flow.community, 2027)
    assert plan.due_on == dt.date(2026, 12, 31)
    found = plan_deadlines(flow.session, 2027, today=dt.date(2026, 12, 20))
    assert {(f.community_id, f.status, f.plan_status) for f in found} == {
        (flow.community.id, "approaching", "draft"), (flow.neighbour.id, "approaching", None)}
    assert plan_deadlines(flow.session, 2027, today=dt.date(2026, 11, 1)) == []
    with pytest.raises(WorkflowError, match="has no projects"):
        submit_plan(flow.session, plan, by=flow.staff, role="community_staff")
    from workflows.projects import create_project

    create_project(flow.session, flow.community, code="N1", title="重阳敬老", project_type="care",
                   purpose_code="care", plan_year=2027, responsible_person="李主任", by=flow.staff,
                   budget={"district": "3000"}, plan=plan)
    flow.session.expire(plan, ["projects"])
    submit_plan(flow.session, plan, by=flow.staff, role="community_staff")
    found = plan_deadlines(flow.session, 2027, today=dt.date(2027, 1, 2))
    assert [(f.community_id, f.status) for f in found] == [(flow.neighbour.id, "passed")]
    with pytest.raises(RoleRefused):
        review_plan(flow.session, plan, by=flow.staff, role="community_staff", approve=True)
    with pytest.raises(WorkflowError, match="Say why"):
        review_plan(flow.session, plan, by=flow.committee, role="street_committee", approve=False)
    review_plan(flow.session, plan, by=flow.committee, role="street_committee", approve=True)
    assert plan.status == "approved" and plan.reviewed_by_id == flow.committee.id


def test_needs_pool_merge_and_link(flow):
    hotline = flow.need(channel="hotline_12345", text="小区路灯坏了")
    visit = flow.need(channel="visit", text="路灯不亮")
    project = flow.project(linked=False)
    from workflows.needs import link_need

    link_need(flow.session, project, visit)
    merge_needs(flow.session, hotline, [visit])
    assert (visit.status, visit.merged_into_id) == (MERGED, hotline.id)
    assert hotline.status == LINKED and hotline.supporters == 2 and project in hotline.projects
    assert [n.id for n in needs_pool(flow.session, flow.community, status=LINKED)] == [hotline.id]
    with pytest.raises(WorkflowError, match="already merged"):
        merge_needs(flow.session, hotline, [visit])
    other = flow.need(community=flow.neighbour)
    with pytest.raises(WorkflowError, match="cannot be merged"):
        merge_needs(flow.session, hotline, [other])
    with pytest.raises(WorkflowError, match="Channel fax is unknown"):
        flow.need(channel="fax")
