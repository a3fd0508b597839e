"""Every transition of the process, pressed by several people at once (PostgreSQL).

A project is walked along the default process's legal path; at each step the next
transition is fired by ``COPIES`` sessions started together, as when a committee member
double-clicks or two members approve the same project. Each time exactly one copy moves the
project and writes one event; every other copy is refused, told who did it first, and
writes nothing. The approval kept is the one that won, not the last one written.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from ledger.users import User
from tests.parallel import run_together
from tests.workflows.conftest import build_flow
from workflows.errors import WorkflowError
from workflows.events import ProjectEvent
from workflows.machine import fire
from workflows.projects import Project
from workflows.publicity import latest_notice

pytestmark = [pytest.mark.postgres, pytest.mark.concurrent]

COPIES = 8
STAFF, COMMITTEE = "community_staff", "street_committee"


def next_step(flow, project):
    """What the legal path does at the project's step: (preparation or None, event, role)."""
    notice = lambda kind: lambda: flow.expire(latest_notice(flow.session, project, kind))  # noqa: E731
    evidence = lambda: (flow.evidence(project), flow.rate(project, 1, 5))  # noqa: E731
    return {
        "needs": (None, "draft", STAFF), "collect": (None, "draft", STAFF),
        "drafting": (None, "deliberate", STAFF), "plan": (None, "deliberate", STAFF),
        "deliberation": (lambda: flow.deliberate(project), "publish_resolution", STAFF),
        "party_review": (lambda: flow.deliberate(project), "submit_for_review", STAFF),
        "publicity": (notice("resolution"), "submit_for_review", STAFF),
        "review": (None, "approve", COMMITTEE), "street_approval": (None, "approve", COMMITTEE),
        "implementation": (None, "complete", STAFF),
        "acceptance": (evidence, "accept", COMMITTEE), "implement": (evidence, "publish_results", STAFF),
        "results": (notice("results"), "close", STAFF),
    }[project.state]


def test_every_transition_fired_by_several_at_once_happens_once(database, tmp_path):
    engine = create_engine(database.url, pool_size=COPIES + 2)
    with Session(database.engine) as session:
        flow = build_flow(session, tmp_path / "evidence")
        project = flow.project()
        session.commit()
        people = {STAFF: flow.staff.id, COMMITTEE: flow.committee.id}
        fired, final = [], {"closed", "archived", "done"}
        while project.state not in final and next_step(flow, project) is not None:
            prepare, event, role = next_step(flow, project)
            if prepare is not None:
                prepare()
                session.commit()
            before = session.scalar(select(func.count(ProjectEvent.id)).where(ProjectEvent.project_id == project.id))
            outcomes = _race(engine, project.id, event, role, people[role])
            session.expire_all()
            events = session.scalars(select(ProjectEvent).where(ProjectEvent.project_id == project.id)
                                     .order_by(ProjectEvent.id)).all()
            winners = [n for n, outcome in outcomes.items() if outcome == "moved"]
            assert len(winners) == 1, (event, outcomes)
            assert len(events) == before + 1 and events[-1].event == event, event
            refusals = [o for o in outcomes.values() if o != "moved"]
            assert all("already did this" in o for o in refusals), (event, refusals)
            if event == "approve":
                assert project.approved_amount == _amount(winners[0])  # the first approved, not the last written
            fired.append(event)
            if len(fired) > 20:
                break
    engine.dispose()
    assert fired[0] == "draft" and "approve" in fired and "accept" in fired and fired[-1] == "close", fired


def _amount(n: int) -> Decimal:
    return Decimal("1000.00") * (n + 1)


def _race(engine, project_id: int, event: str, role: str, user_id: int) -> dict[int, str]:
    """Fire ``event`` from ``COPIES`` sessions at once: copy number → "moved" or the refusal."""
    def copy(n: int, ready) -> str:
        with Session(engine) as session:
            project = session.get(Project, project_id)
            by = session.get(User, user_id)
            project.state  # noqa: B018  (read before the others move it, as a page would be)
            ready()
            try:
                options = {"amount": _amount(n)} if event == "approve" else {}
                fire(session, project, event, by=by, role=role, **options)
                session.commit()
                return "moved"
            except WorkflowError as refusal:
                session.rollback()
                return refusal.message

    return run_together(COPIES, copy)
