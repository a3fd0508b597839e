"""Random events at random projects never reach implementation without the record.

Hypothesis fires any event in any role, records meetings with valid and invalid figures,
lets publicity periods run out, objects and answers. Whatever it does, a project that
reached implementation by the ordinary path has, in its history and meeting rows, the
four deliberations passed (checked here with the rules' own arithmetic), the
resolution published for its full period, and the street's approval; an emergency got
there only by the street's fast approval.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event as note, given, settings, strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.errors import DomainError
from workflows.events import ProjectEvent
from workflows.machine import possible_events
from workflows.meetings import Meeting
from workflows.projects import Project
from workflows.publicity import PublicNotice, answer_objection, latest_notice, object_to

EVENTS = ["draft", "deliberate", "publish_resolution", "submit_for_review", "approve", "return_for_revision",
          "reject", "fast_approve", "complete", "accept", "close"]
ROLES = ["community_staff", "street_committee", "street_finance", "system"]
KINDS = ["proposal", "joint", "party_members", "representatives"]


@st.composite
def meeting_figures(draw):
    due = draw(st.integers(1, 60))
    present = draw(st.integers(0, due))
    votes_for = draw(st.integers(0, present))
    against = draw(st.integers(0, present - votes_for))
    return dict(attendance_due=due, present=present, votes_for=votes_for, votes_against=against,
                abstentions=draw(st.integers(0, present - votes_for - against)))


PASSING_FIGURES = st.sampled_from([
    dict(attendance_due=60, present=45, votes_for=40, votes_against=3, abstentions=2),
    dict(attendance_due=60, present=39, votes_for=35, votes_against=2, abstentions=2),  # no quorum
    dict(attendance_due=60, present=45, votes_for=30, votes_against=10, abstentions=5),  # no majority of due
    dict(attendance_due=30, present=20, votes_for=10, votes_against=6, abstentions=4),  # tie of present
])

ACTIONS = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 1), st.integers(0, 4)),
    st.tuples(st.just("advance"), st.integers(0, 1), st.integers(0, 4)),
    st.tuples(st.just("deliberate_all"), st.integers(0, 1)),
    st.tuples(st.just("meeting"), st.integers(0, 1), st.sampled_from(KINDS), PASSING_FIGURES, st.integers(1, 20)),
    st.tuples(st.just("fire"), st.integers(0, 1), st.sampled_from(EVENTS), st.sampled_from(ROLES),
              st.sampled_from([None, "5000.00", "10000.00", "20000.00"])),
    st.tuples(st.just("meeting"), st.integers(0, 1), st.sampled_from(KINDS), meeting_figures(), st.integers(1, 20)),
    st.tuples(st.just("expire"), st.integers(0, 1)),
    st.tuples(st.just("object"), st.integers(0, 1)),
    st.tuples(st.just("answer"), st.integers(0, 1)),
    st.tuples(st.just("accept_ready"), st.integers(0, 1)),
)


PLANNED = ["advance", "advance", "deliberate_all", "advance", "expire", "advance", "advance", "advance",
           "accept_ready", "advance", "expire", "advance"]


@st.composite
def scripts(draw):
    """The straight path of both projects with steps left out and random actions in between."""
    script = []
    for index in (0, 1):
        for planned in PLANNED:
            script += draw(st.lists(ACTIONS, max_size=3))
            if draw(st.integers(0, 5)):  # usually keep the planned step
                script.append((planned, index, 0) if planned == "advance" else (planned, index))
    return script


def passes(meeting: Meeting) -> bool:
    """The rules of 四议两公开 written out again, independently of ``check_rule``."""
    if meeting.kind == "party_members":
        return 3 * meeting.present >= 2 * meeting.attendance_due and 2 * meeting.votes_for > meeting.attendance_due
    return 2 * meeting.votes_for > meeting.present


def act(flow, projects, action) -> None:
    name, index, *args = action
    project = projects[index]
    if name == "advance":  # the next step's event in an allowed role: lets examples get far
        transitions = possible_events(project)
        if transitions:
            t = transitions[0 if args[0] < 3 else args[0] % len(transitions)]  # mostly forward
            flow.fire(project, t.event, role=t.roles[0], amount="10000.00", reason="理由")
    elif name == "deliberate_all":
        flow.deliberate(project)
    elif name == "fire":
        event, role, amount = args
        flow.fire(project, event, role=role, amount=amount, reason="随机理由")
    elif name == "meeting":
        kind, figures, day = args
        flow.meeting(project, kind, held_on=dt.date(2026, 1, day), **figures)
    elif name == "expire" and project.step.notice:
        notice = latest_notice(flow.session, project, project.step.notice)
        if notice is not None and notice.closed_at is None:
            flow.expire(notice)
    elif name == "object":
        notice = flow.session.scalars(select(PublicNotice).where(PublicNotice.project_id == project.id)
                                      .order_by(PublicNotice.id.desc())).first()
        if notice is not None:
            object_to(flow.session, notice, "有异议")
    elif name == "answer":
        for notice in flow.session.scalars(select(PublicNotice).where(PublicNotice.project_id == project.id)):
            for objection in notice.objections:
                if objection.answered_at is None:
                    answer_objection(flow.session, objection, "已答复", by=flow.staff, role="community_staff")
    elif name == "accept_ready":
        flow.evidence(project)
        flow.rate(project, 1, 5)


def check_record(session: Session, project: Project) -> None:
    events = list(session.scalars(select(ProjectEvent).where(ProjectEvent.project_id == project.id)
                                  .order_by(ProjectEvent.id)))
    meetings = list(session.scalars(select(Meeting).where(Meeting.project_id == project.id)))
    notices = list(session.scalars(select(PublicNotice).where(PublicNotice.project_id == project.id)))
    for position, event in enumerate(events):
        if event.to_state != "implementation":
            continue
        assert event.role == "street_committee" and event.actor_id is not None
        if event.event == "fast_approve":
            assert project.is_emergency
            continue
        assert event.event == "approve" and event.from_state == "review"
        earlier = events[:position]
        published = [e for e in earlier if e.event == "publish_resolution"][-1]
        for kind in KINDS:
            assert any(m.kind == kind and passes(m) and m.recorded_at <= published.at for m in meetings), kind
        submitted = [e for e in earlier if e.event == "submit_for_review"][-1]
        assert submitted.id > published.id
        assert any(n.kind == "resolution" and published.at <= n.created_at and n.ends_at <= submitted.at
                   and n.ends_at - n.starts_at >= dt.timedelta(days=7) for n in notices)
    if any(e.to_state in ("acceptance", "results", "closed") for e in events):
        assert any(e.to_state == "implementation" for e in events)
        if project.follow_up_due is not None:
            for kind in KINDS:
                assert any(m.kind == kind and passes(m) for m in meetings), kind


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=scripts(), emergency=st.booleans())
def test_no_implementation_without_the_record(database, flow_factory, actions, emergency):
    with database.engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session, \
                tempfile.TemporaryDirectory() as folder:
            flow = flow_factory(session, Path(folder))
            projects = [flow.project("A"), flow.project("B", project_type="emergency" if emergency else "works")]
            for action in actions:
                try:
                    act(flow, projects, action)
                except DomainError:
                    pass
                for project in projects:
                    check_record(session, project)
            for project in projects:
                note(f"{'emergency' if project.is_emergency else 'ordinary'} reached {project.state}")
        transaction.rollback()


def test_the_straight_path_satisfies_the_check(flow):
    project = flow.walk(flow.project(), "closed")
    check_record(flow.session, project)
