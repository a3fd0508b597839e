"""The secretary changes a project's estimate on its page while drafting; afterwards the
page refuses with the reason, and each change shows in the history with the amounts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledger.organisations import by_code
from tests.app.conftest import csrf_token
from workflows.estimates import EVENT
from workflows.events import ProjectEvent
from workflows.projects import Project


def project_at(session, state: str) -> Project:
    community = by_code(session, "Q010101")
    return session.scalar(select(Project).where(Project.community_id == community.id, Project.state == state)
                          .order_by(Project.id))


def revise(client, project: Project, **amounts):
    return client.post(f"/community/projects/{project.id}/estimate",
                       data={"csrf_token": csrf_token(client, "/home"), **amounts})


def test_the_secretary_revises_a_drafted_estimate_and_the_history_shows_it(world, session, login_as):
    project = project_at(session, "drafting")
    old = project.estimated_amount
    secretary = login_as("secretary-q010101")
    page = secretary.get(f"/community/projects/{project.id}").get_data(as_text=True)
    assert f"/community/projects/{project.id}/estimate" in page and "修改预算" in page

    response = revise(secretary, project, budget_district="1,234.50", budget_city="", budget_other="",
                      reason="重新询价")
    assert response.status_code == 302
    session.expire_all()
    project = session.get(Project, project.id)
    assert project.estimated_amount == Decimal("1234.50")
    event = session.scalar(select(ProjectEvent).where(ProjectEvent.project_id == project.id,
                                                      ProjectEvent.event == EVENT))
    assert event.details["old_total"] == str(old) and event.details["new_total"] == "1234.50"
    page = secretary.get(f"/community/projects/{project.id}").get_data(as_text=True)
    assert "1,234.50" in page and "重新询价" in page and f"{old:,.2f}" in page


def test_after_the_deliberations_started_the_change_is_refused(world, session, login_as):
    project = project_at(session, "implementation")
    before = project.estimated_amount
    secretary = login_as("secretary-q010101")
    assert f"/community/projects/{project.id}/estimate" not in secretary.get(
        f"/community/projects/{project.id}").get_data(as_text=True)  # no form offered
    response = revise(secretary, project, budget_district="99.00")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "不能再修改" in page
    session.expire_all()
    assert session.get(Project, project.id).estimated_amount == before


def test_a_bad_amount_is_refused_next_to_the_field(world, session, login_as):
    project = project_at(session, "drafting")
    response = revise(login_as("secretary-q010101"), project, budget_district="-3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="estimate-budget_district"' in page and 'class="error"' in page
    session.expire_all()
    assert session.scalar(select(ProjectEvent.id).where(ProjectEvent.project_id == project.id,
                                                        ProjectEvent.event == EVENT)) is None


def test_the_street_may_not_revise(world, session, login_as):
    project = project_at(session, "drafting")
    assert revise(login_as("committee-s0101"), project, budget_district="10.00").status_code == 403
