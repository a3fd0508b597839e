"""Revising a project's estimate: only the community, only while drafting, always recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflows.errors import RoleRefused, WorkflowError
from workflows.estimates import EVENT, estimate_open, revise_estimate
from workflows.events import history
from workflows.machine import return_for_revision


def test_a_drafted_estimate_is_revised_and_the_change_recorded(flow):
    project = flow.walk(flow.project(budget={"district": "800.00"}), "drafting")
    event = revise_estimate(flow.session, project, {"district": "650.00", "city": "100.00"}, by=flow.staff,
                            role="community_staff", reason="报价下降")
    assert project.estimated_amount == Decimal("750.00")
    assert event in history(flow.session, project) and event.event == EVENT
    assert (event.actor_id, event.role, event.from_state, event.to_state) == (
        flow.staff.id, "community_staff", "drafting", "drafting")
    assert event.details == {"old_estimate": {"district": "800.00"},
                             "new_estimate": {"city": "100.00", "district": "650.00"},
                             "old_total": "800.00", "new_total": "750.00"}
    assert event.at is not None and event.reason == "报价下降"


@pytest.mark.parametrize("step", ["deliberation", "publicity", "review", "implementation"])
def test_once_put_to_the_residents_the_estimate_is_frozen(flow, step):
    project = flow.walk(flow.project(budget={"district": "800.00"}), step, amount="800.00")
    assert not estimate_open(project)
    with pytest.raises(WorkflowError, match="can no longer change") as error:
        revise_estimate(flow.session, project, {"district": "900.00"}, by=flow.staff, role="community_staff")
    assert error.value.field == "budget" and project.estimated_amount == Decimal("800.00")


def test_a_project_returned_by_the_street_is_re_estimated(flow):
    project = flow.walk(flow.project(budget={"district": "800.00"}), "review")
    return_for_revision(flow.session, project, by=flow.committee, reason="预算偏高")
    assert project.state == "drafting" and estimate_open(project)
    revise_estimate(flow.session, project, {"district": "600.00"}, by=flow.staff, role="community_staff")
    assert project.estimated_amount == Decimal("600.00")


def test_only_the_community_revises_and_only_a_real_change(flow):
    project = flow.walk(flow.project(budget={"district": "800.00"}), "drafting")
    with pytest.raises(RoleRefused):
        revise_estimate(flow.session, project, {"district": "1.00"}, by=flow.committee, role="street_committee")
    with pytest.raises(WorkflowError, match="unchanged"):
        revise_estimate(flow.session, project, {"district": "800"}, by=flow.staff, role="community_staff")
    with pytest.raises(WorkflowError, match="at least one"):
        revise_estimate(flow.session, project, {}, by=flow.staff, role="community_staff")
    with pytest.raises(WorkflowError, match="must be positive"):
        revise_estimate(flow.session, project, {"district": "-5"}, by=flow.staff, role="community_staff")
    with pytest.raises(WorkflowError, match="Not an amount"):
        revise_estimate(flow.session, project, {"district": "1.234"}, by=flow.staff, role="community_staff")
    assert [e.event for e in history(flow.session, project)].count(EVENT) == 0
