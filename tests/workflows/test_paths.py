"""Every legal path of the default eight steps and of the Beijing six steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ledger.allocations import record_allocation
from ledger.dimensions import funding_source
from ledger.expenditures import record_expenditure
from ledger.posting import post_voucher, review_voucher
from tests.workflows.conftest import SECRET
from workflows.emergency import publish_follow_up
from workflows.errors import WorkflowError
from workflows.events import history
from workflows.machine import approve, reject, return_for_revision
from workflows.meetings import Meeting
from workflows.projects import spending_project
from workflows.satisfaction import rate, satisfaction_of

YEAR = 2026

EIGHT = ["needs", "drafting", "deliberation", "publicity", "review", "implementation", "acceptance", "results", "closed"]
SIX = ["collect", "plan", "party_review", "street_approval", "implement", "results", "closed"]


def pay(flow, project, amount):
    """Post a payment for ``project`` through the ledger, as the finance office would."""
    source = funding_source(flow.session, "district")
    allocation = record_allocation(flow.session, flow.book, source, "50000.00",
                                   arrived_on=dt.date(YEAR, 1, 5), by=flow.clerk)
    review_voucher(flow.session, allocation.voucher, by=flow.reviewer)
    post_voucher(flow.session, allocation.voucher, by=flow.poster)
    voucher = record_expenditure(flow.session, flow.book, spending_project(project), source, amount,
                                 dt.date(YEAR, 3, 1), "购买灯具", by=flow.clerk)
    review_voucher(flow.session, voucher, by=flow.reviewer)
    return post_voucher(flow.session, voucher, by=flow.poster)


def test_default_eight_steps_from_needs_to_closed(flow):
    project = flow.project()
    flow.walk(project, "implementation", amount="8000.00")
    pay(flow, project, "7500.00")
    flow.walk(project, "closed")

    events = history(flow.session, project)
    assert [e.from_state for e in events] + [events[-1].to_state] == EIGHT
    assert all(e.at.tzinfo is not None for e in events)
    assert events[4].role == "street_committee" and events[4].actor_id == flow.committee.id
    assert events[4].details == {"approved_amount": "8000.00"}
    assert project.approved_amount == Decimal("8000.00")
    assert project.ledger_project.approved_amount == Decimal("8000.00")
    assert project.ledger_project.closed and not project.ledger_project.spending_open
    assert project.released_amount == Decimal("500.00")
    assert events[-1].details == {"released_amount": "500.00"}


def test_full_approval_keeps_the_split_by_source(flow):
    project = flow.walk(flow.project(), "implementation", amount="10000.00")
    shares = {s.funding_source.code: s.amount for s in project.ledger_project.shares}
    assert shares == {"district": Decimal("6000.00"), "city": Decimal("4000.00")}
    assert project.ledger_project.spending_open


def test_beijing_six_steps(flow):
    flow.use_process("beijing_six_steps")
    project = flow.project()
    assert project.state == "collect"
    flow.walk(project, "closed")
    events = history(flow.session, project)
    assert [e.from_state for e in events] + [events[-1].to_state] == SIX
    kinds = {m.kind for m in flow.session.query(Meeting).filter_by(project_id=project.id)}
    assert kinds == {"party_members"}


def test_return_for_revision_goes_back_to_drafting_and_needs_new_deliberations(flow):
    project = flow.walk(flow.project(), "review")
    return_for_revision(flow.session, project, by=flow.committee, reason="预算偏高，请压缩")
    assert project.state == "drafting"
    assert history(flow.session, project)[-1].reason == "预算偏高，请压缩"
    flow.fire(project, "deliberate")
    # The meetings held before the return were about the old draft.
    with pytest.raises(Exception, match="not on record"):
        flow.fire(project, "publish_resolution")
    flow.walk(project, "review")
    approve(flow.session, project, "9000.00", by=flow.committee)
    assert project.state == "implementation"
    assert len(history(flow.session, project)) == 9


def test_reject_is_final(flow):
    project = flow.walk(flow.project(), "review")
    reject(flow.session, project, by=flow.committee, reason="不属于正面清单用途")
    assert project.state == "rejected"
    with pytest.raises(Exception, match="possible now: -"):
        approve(flow.session, project, "1000.00", by=flow.committee)


def test_emergency_starts_first_and_records_afterwards(flow):
    project = flow.project("E1", project_type="emergency")
    flow.fire(project, "fast_approve", role="street_committee", amount="10000.00", reason="暴雨后排水管爆裂")
    assert project.state == "implementation" and project.ledger_project.spending_open
    assert project.follow_up_due is not None
    with pytest.raises(Exception, match="not on record"):
        flow.fire(project, "complete")
    flow.deliberate(project)
    notice = publish_follow_up(flow.session, project, by=flow.staff, role="community_staff")
    flow.fire(project, "complete")
    flow.walk(project, "closed")
    assert notice.kind == "resolution"
    assert [e.event for e in history(flow.session, project)] == ["fast_approve", "complete", "accept", "close"]


def test_satisfaction_percent(flow):
    project = flow.walk(flow.project(), "acceptance")
    for household, rating in [(1, 5), (2, 4), (3, 3), (4, 5)]:
        flow.rate(project, household, rating)
    result = satisfaction_of(flow.session, project)
    assert (result.ratings, result.satisfied, result.percent, result.average) == (4, 3, Decimal("75.00"), Decimal("4.25"))
    assert result.paper == 0
    with pytest.raises(Exception, match="already rated"):
        flow.rate(project, 1, 1)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "0{code}", "00{code}", " {lower} ", "{spaced}"])
def test_every_way_of_typing_one_households_code_is_that_household(flow, typed):
    project = flow.walk(flow.project(), "acceptance")
    code = flow.code(project, 1)
    flow.rate(project, 1, 5)
    variant = typed.format(code=code, lower=code.lower(), spaced=code.replace("-", " - "))
    with pytest.raises(WorkflowError, match="already rated|not a household code"):
        rate(flow.session, project, variant, 1, secret=SECRET)
    assert satisfaction_of(flow.session, project).ratings == 1


@pytest.mark.parametrize("typed", ["fake-household-1", "1-101", "1-AAAAAA", "99999-ZZZZZZ", ""])
def test_a_code_the_community_did_not_hand_out_is_refused_on_every_path(flow, typed):
    project = flow.walk(flow.project(), "acceptance")
    for entered_by in (None, flow.staff):  # online, or typed in by the secretary
        with pytest.raises(WorkflowError, match="not a household code") as refused:
            rate(flow.session, project, typed, 5, secret=SECRET, entered_by=entered_by)
        assert refused.value.field == "household_code"
    assert satisfaction_of(flow.session, project).ratings == 0


def test_paper_slips_typed_in_by_the_community_are_counted_apart(flow):
    project = flow.walk(flow.project(), "acceptance")
    flow.rate(project, 1, 5)
    flow.rate(project, 2, 4, entered_by=flow.staff)
    flow.rate(project, 3, 2, entered_by=flow.staff)
    result = satisfaction_of(flow.session, project)
    assert (result.ratings, result.paper) == (3, 2)


def test_the_database_refuses_a_code_not_in_its_one_form(flow):
    from sqlalchemy.exc import IntegrityError

    from workflows.satisfaction import SatisfactionRating

    project = flow.walk(flow.project(), "acceptance")
    for stored in (flow.code(project, 1).lower(), "0" + flow.code(project, 1), "1-101"):
        with pytest.raises(IntegrityError):
            with flow.session.begin_nested():
                flow.session.add(SatisfactionRating(project_id=project.id, household_code=stored, rating=5))
                flow.session.flush()


def test_events_name_the_evidence_they_rely_on(flow):
    project = flow.walk(flow.project(), "acceptance")
    report = flow.evidence(project, "completion_report")
    photo = flow.evidence(project, "photo", data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, name="现场.png")
    flow.rate(project, 3, 4)
    event = flow.fire(project, "accept", role="street_committee", evidence=[report, photo])
    assert event.evidence_ids == [report.id, photo.id]
    assert (report.step, photo.step) == ("acceptance", "acceptance")
    other = flow.project("P2")
    with pytest.raises(Exception, match="another project"):
        flow.fire(other, "draft", evidence=[report])
