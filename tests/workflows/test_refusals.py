"""Every shortcut refused, with the rule and the figures that refused it."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.definitions import settings_of
from workflows.emergency import overdue_follow_ups, publish_follow_up
from workflows.errors import RoleRefused, RuleFailed, TransitionRefused, WorkflowError
from workflows.events import history
from workflows.machine import approve, fire, reject
from workflows.publicity import answer_objection, latest_notice, object_to, open_notice
from workflows.projects import spending_project, set_estimate


def test_spending_before_approval_is_refused(flow):
    project = flow.walk(flow.project(), "review")
    with pytest.raises(WorkflowError, match="payments are allowed only once it is approved") as error:
        spending_project(project)
    assert error.value.params["step"] == "审核备案"
    assert project.ledger_project is None  # the ledger has nothing to spend against
    with pytest.raises(TransitionRefused, match="Cannot complete at step 审核备案"):
        flow.fire(project, "complete")


def test_spending_after_closing_is_refused(flow):
    project = flow.walk(flow.project(), "closed")
    with pytest.raises(WorkflowError, match="step 已办结"):
        spending_project(project)


@pytest.mark.parametrize("step", ["needs", "drafting", "deliberation", "publicity"])
def test_approval_before_publicity_is_refused(flow, step):
    project = flow.walk(flow.project(), step)
    with pytest.raises(TransitionRefused, match="Cannot approve") as error:
        approve(flow.session, project, "1000.00", by=flow.committee)
    assert error.value.field == "event"
    assert project.state == step and project.approved_amount is None
    assert all(e.event != "approve" for e in history(flow.session, project))


def test_review_before_the_publicity_period_ends_is_refused(flow):
    project = flow.walk(flow.project(), "publicity")
    with pytest.raises(RuleFailed, match=r"resolution notice runs until .*; 6 day\(s\) 23 hour\(s\) left"):
        flow.fire(project, "submit_for_review")


def test_publicity_before_the_four_deliberations_is_refused(flow):
    project = flow.walk(flow.project(), "deliberation")
    flow.meeting(project, "proposal", held_on=dt.date(2026, 1, 10))
    flow.meeting(project, "joint", held_on=dt.date(2026, 1, 11))
    flow.meeting(project, "party_members", held_on=dt.date(2026, 1, 12))
    with pytest.raises(RuleFailed, match="The 居民代表会议决议 is not on record."):
        flow.fire(project, "publish_resolution")
    assert latest_notice(flow.session, project, "resolution") is None


def test_publicity_skipping_the_deliberation_step_is_refused(flow):
    project = flow.walk(flow.project(), "drafting")
    with pytest.raises(TransitionRefused, match="Cannot publish_resolution at step 项目拟定; possible now: 提交四议"):
        flow.fire(project, "publish_resolution")


def test_party_members_quorum_is_reported_with_numbers(flow):
    project = flow.walk(flow.project(), "deliberation")
    flow.deliberate(project)
    flow.meeting(project, "party_members", held_on=dt.date(2026, 1, 14), attendance_due=60, present=39,
                 votes_for=35, votes_against=2, abstentions=2)
    with pytest.raises(RuleFailed) as error:
        flow.fire(project, "publish_resolution")
    assert error.value.message == "党员大会审议 lacks a quorum: 39 of 60 present, at least 40 needed."
    assert error.value.params == {"meeting": "党员大会审议", "present": 39, "due": 60, "needed": 40}


def test_party_members_majority_counts_those_due_not_those_present(flow):
    project = flow.walk(flow.project(), "deliberation")
    flow.deliberate(project)
    # 30 of 45 present is a majority of those present, but not more than half of the 60 due.
    flow.meeting(project, "party_members", held_on=dt.date(2026, 1, 14), attendance_due=60, present=45,
                 votes_for=30, votes_against=10, abstentions=5)
    flow.meeting(project, "representatives", held_on=dt.date(2026, 1, 15))
    with pytest.raises(RuleFailed, match=r"did not pass: 30 for, 31 needed \(more than half of 60 due\)"):
        flow.fire(project, "publish_resolution")


def test_representatives_decide_by_majority_of_those_present(flow):
    project = flow.walk(flow.project(), "deliberation")
    flow.deliberate(project)
    flow.meeting(project, "representatives", held_on=dt.date(2026, 1, 15), attendance_due=35, present=20,
                 votes_for=10, votes_against=6, abstentions=4)
    with pytest.raises(RuleFailed, match=r"居民代表会议决议 did not pass: 10 for, 11 needed \(more than half of 20 present\)"):
        flow.fire(project, "publish_resolution")
    flow.meeting(project, "representatives", held_on=dt.date(2026, 1, 16), attendance_due=35, present=20,
                 votes_for=11, votes_against=5, abstentions=4)
    flow.fire(project, "publish_resolution")  # held again, passed: the latest meeting counts
    assert project.state == "publicity"


def test_deliberations_out_of_order_are_refused(flow):
    project = flow.walk(flow.project(), "deliberation")
    flow.meeting(project, "proposal", held_on=dt.date(2026, 1, 10))
    flow.meeting(project, "joint", held_on=dt.date(2026, 1, 12))
    flow.meeting(project, "party_members", held_on=dt.date(2026, 1, 11))
    flow.meeting(project, "representatives", held_on=dt.date(2026, 1, 13))
    with pytest.raises(RuleFailed, match=r"党员大会审议 \(2026-01-11\) was held before the 两委会商议 \(2026-01-12\)"):
        flow.fire(project, "publish_resolution")


def test_inconsistent_meeting_figures_are_refused(flow):
    project = flow.walk(flow.project(), "deliberation")
    with pytest.raises(WorkflowError, match="12 present is more than the 11 due"):
        flow.meeting(project, "joint", attendance_due=11, present=12)
    with pytest.raises(WorkflowError, match="11 votes cast by 10 present"):
        flow.meeting(project, "joint", attendance_due=11, present=10, votes_for=9, votes_against=2)


def test_meetings_are_recorded_at_the_deliberation_step_only(flow):
    project = flow.project()
    with pytest.raises(WorkflowError, match="cannot be recorded at step 需求征集"):
        flow.meeting(project, "proposal")


def test_one_shoulder_merges_proposal_and_joint_discussion(flow):
    project = flow.walk(flow.project(), "deliberation")
    with pytest.raises(WorkflowError, match="一肩挑"):
        flow.meeting(project, "joint", merges_previous=True)
    settings_of(flow.session, flow.community).one_shoulder = True
    flow.meeting(project, "joint", held_on=dt.date(2026, 1, 10), merges_previous=True)
    flow.meeting(project, "party_members", held_on=dt.date(2026, 1, 11))
    flow.meeting(project, "representatives", held_on=dt.date(2026, 1, 12))
    flow.fire(project, "publish_resolution")
    assert project.state == "publicity"


def test_unanswered_objection_holds_the_project(flow):
    project = flow.walk(flow.project(), "publicity")
    notice = latest_notice(flow.session, project, "resolution")
    objection = object_to(flow.session, notice, "灯具选型太贵", contact="138****0000")
    flow.expire(notice)
    with pytest.raises(RuleFailed, match=r"1 objection\(s\) to the project's notices are not answered yet"):
        flow.fire(project, "submit_for_review")
    answer_objection(flow.session, objection, "已比价三家，选最低价。", by=flow.staff, role="community_staff")
    assert objection.answered_by_id == flow.staff.id and objection.answered_at.tzinfo is not None
    flow.fire(project, "submit_for_review")
    assert project.state == "review"
    with pytest.raises(WorkflowError, match="not open for objections"):
        object_to(flow.session, notice, "太晚了")


def test_notice_shorter_than_the_minimum_is_refused(flow):
    project = flow.walk(flow.project(), "publicity")
    with pytest.raises(RuleFailed, match="at least 7 days, not 3"):
        open_notice(flow.session, project, "resolution", days=3, by=flow.staff)


@pytest.mark.parametrize("role, event, step", [
    ("street_committee", "draft", "needs"),
    ("street_finance", "draft", "needs"),
    ("community_staff", "approve", "review"),
    ("street_finance", "approve", "review"),
    ("community_staff", "reject", "review"),
    ("street_committee", "complete", "implementation"),
    ("system", "approve", "review"),
])
def test_acting_with_the_wrong_role_is_refused(flow, role, event, step):
    project = flow.walk(flow.project(), step)
    with pytest.raises(RoleRefused, match=f"Role {role} may not") as error:
        flow.fire(project, event, role=role, amount="100.00", reason="理由")
    assert error.value.field == "role"
    assert project.state == step


def test_a_person_is_needed_unless_the_timer_acts(flow):
    project = flow.project()
    with pytest.raises(RoleRefused, match="needs the person"):
        fire(flow.session, project, "draft", by=None, role="community_staff")


def test_street_decisions_need_reasons_and_amounts(flow):
    project = flow.walk(flow.project(), "review")
    with pytest.raises(WorkflowError, match="Give the reason"):
        reject(flow.session, project, by=flow.committee, reason="  ")
    with pytest.raises(RuleFailed, match="Give the approved amount"):
        flow.fire(project, "approve", role="street_committee")
    with pytest.raises(RuleFailed, match="at most the 10000.00 asked for"):
        approve(flow.session, project, "10000.01", by=flow.committee)
    assert project.state == "review" and project.ledger_project is None


def test_fast_approval_is_for_emergencies_only(flow):
    project = flow.project()
    with pytest.raises(RuleFailed, match="Only emergency projects.*this one is convenience"):
        flow.fire(project, "fast_approve", role="street_committee", amount="100.00", reason="急")


def test_drafting_needs_a_resident_need_and_deliberation_an_estimate(flow):
    project = flow.project(linked=False, budget={})
    with pytest.raises(RuleFailed, match="Link at least one resident need"):
        flow.fire(project, "draft")
    from workflows.needs import link_need

    link_need(flow.session, project, flow.need())
    flow.fire(project, "draft")
    with pytest.raises(RuleFailed, match="estimated budget"):
        flow.fire(project, "deliberate")
    set_estimate(flow.session, project, {"district": "500.00"})
    flow.fire(project, "deliberate")
    with pytest.raises(WorkflowError, match="past drafting"):
        set_estimate(flow.session, project, {"district": "900.00"})


def test_unknown_event_is_refused(flow):
    with pytest.raises(TransitionRefused, match="skip_everything is not an action"):
        flow.fire(flow.project(), "skip_everything")


def test_emergency_follow_up_overdue_is_flagged(flow):
    late = flow.project("E1", project_type="emergency")
    done = flow.project("E2", project_type="emergency")
    for project in (late, done):
        flow.fire(project, "fast_approve", role="street_committee", amount="10000.00", reason="管道爆裂")
    flow.deliberate(done)
    publish_follow_up(flow.session, done, by=flow.staff, role="community_staff")
    assert overdue_follow_ups(flow.session) == []
    later = late.follow_up_due + dt.timedelta(days=3)
    flagged = overdue_follow_ups(flow.session, now=later)
    assert [(f.code, f.days_over) for f in flagged] == [("E1", 3)]
    assert overdue_follow_ups(flow.session, now=later) == flagged  # a query: asking twice changes nothing
    with pytest.raises(RuleFailed, match="not on record"):
        flow.fire(late, "complete")


def test_a_need_or_a_meeting_dated_after_today_is_refused(flow):
    from ledger.base import china_today
    from workflows.needs import add_need

    tomorrow = china_today() + dt.timedelta(days=1)
    with pytest.raises(WorkflowError, match="cannot be dated in the future") as refused:
        add_need(flow.session, flow.community, channel="visit", received_on=dt.date(2099, 1, 1), category="便民设施",
                 description="楼道灯不亮", by=flow.staff)
    assert refused.value.field == "received_on"
    assert add_need(flow.session, flow.community, channel="visit", received_on=china_today(), category="便民设施",
                    description="楼道灯不亮", by=flow.staff).received_on == china_today()  # today itself is fine
    project = flow.walk(flow.project(), "deliberation")
    kind = project.definition.deliberations[0]
    with pytest.raises(WorkflowError, match="cannot be dated in the future") as refused:
        flow.meeting(project, kind, held_on=tomorrow)
    assert refused.value.field == "held_on"
