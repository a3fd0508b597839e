"""The deliberation meetings (四议): what was proposed, who attended, how they voted.

Recording a meeting only checks that its figures are consistent (nobody votes twice,
nobody is present who was not due); whether it *passed* is the process rule, checked
when the project tries to move on, so a failed vote stays on record as a fact.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow
from ledger.users import User

from .definitions import settings_of
from .errors import N_, RoleRefused, RuleFailed, WorkflowError, check_not_future
from .process import MeetingRule


class Meeting(Base):
    """One deliberation meeting (会议记录) of a project: attendance, tally and minutes."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("attendance_due > 0", name="due_positive"),
        CheckConstraint("present >= 0 AND present <= attendance_due", name="present_within_due"),
        CheckConstraint("votes_for >= 0 AND votes_against >= 0 AND abstentions >= 0", name="tally_not_negative"),
        CheckConstraint("votes_for + votes_against + abstentions <= present", name="tally_within_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[dt.date]
    attendance_due: Mapped[int]
    present: Mapped[int]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    motion_origin: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    #: 一肩挑: this joint discussion also stands for the party organisation's proposal.
    merges_previous: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def record_meeting(
    session: Session, project, *, kind: str, held_on: dt.date, attendance_due: int, present: int,
    votes_for: int, votes_against: int, abstentions: int, motion_origin: str, minutes: str,
    by: User, role: str, merges_previous: bool = False,
) -> Meeting:
    """Record a deliberation meeting (记录四议会议) at the step that holds it.

    Allowed at the step whose definition lists this kind of meeting, or, for an emergency
    project approved in advance, at any later step (the follow-up record).
    """
    definition = project.definition
    if role != "community_staff":
        raise RoleRefused(N_("Role %(role)s may not record meetings."), field="role", role=role)
    if kind not in definition.deliberations:
        raise WorkflowError(
            N_("Meeting kind %(kind)s is not part of this process; expected one of %(allowed)s."),
            field="kind", kind=kind, allowed=", ".join(definition.deliberations),
        )
    follow_up = project.follow_up_due is not None and not project.step.final
    if kind not in project.step.meetings and not follow_up:
        raise WorkflowError(
            N_("Meetings cannot be recorded at step %(step)s."), field="kind", step=project.step.title
        )
    check_not_future(held_on, "held_on")
    figures = dict(attendance_due=attendance_due, present=present, votes_for=votes_for,
                   votes_against=votes_against, abstentions=abstentions)
    if any(not isinstance(v, int) or v < 0 for v in figures.values()) or attendance_due == 0:
        raise WorkflowError(N_("Attendance and votes must be whole numbers, at least one due."), field="attendance_due")
    if present > attendance_due:
        raise WorkflowError(
            N_("%(present)d present is more than the %(due)d due to attend."),
            field="present", present=present, due=attendance_due,
        )
    if votes_for + votes_against + abstentions > present:
        raise WorkflowError(
            N_("%(votes)d votes cast by %(present)d present."),
            field="votes_for", votes=votes_for + votes_against + abstentions, present=present,
        )
    if not (minutes or "").strip() or not (motion_origin or "").strip():
        raise WorkflowError(N_("Minutes and the origin of the motion are required."), field="minutes")
    if merges_previous:
        pair = definition.mergeable
        if pair is None or kind != pair[1] or not settings_of(session, project.community).one_shoulder:
            raise WorkflowError(
                N_("Only a community whose secretary is also director (一肩挑) may merge these meetings."),
                field="merges_previous",
            )
    meeting = Meeting(project_id=project.id, kind=kind, held_on=held_on, motion_origin=motion_origin.strip(),
                      minutes=minutes.strip(), merges_previous=merges_previous, recorded_by_id=by.id, **figures)
    session.add(meeting)
    session.flush()
    return meeting


def check_rule(rule: MeetingRule, meeting: Meeting) -> None:
    """Raise ``RuleFailed`` with the figures when ``meeting`` does not pass ``rule``."""
    due, present = meeting.attendance_due, meeting.present
    if rule.quorum is not None:
        numerator, denominator = rule.quorum
        needed = -(-due * numerator // denominator)  # ceiling: "at least two thirds"
        if present < needed:
            raise RuleFailed(
                N_("%(meeting)s lacks a quorum: %(present)d of %(due)d present, at least %(needed)d needed."),
                field="present", meeting=rule.title, present=present, due=due, needed=needed,
            )
    base = due if rule.majority_of == "due" else present
    needed = base // 2 + 1  # more than half
    if meeting.votes_for < needed:
        raise RuleFailed(
            N_("%(meeting)s did not pass: %(votes_for)d for, %(needed)d needed (more than half of "
               "%(base)d %(base_name)s); %(against)d against, %(abstain)d abstained."),
            field="votes_for", meeting=rule.title, votes_for=meeting.votes_for, needed=needed, base=base,
            base_name="due" if rule.majority_of == "due" else "present",
            against=meeting.votes_against, abstain=meeting.abstentions,
        )


def meetings_of(session: Session, project, since: dt.datetime | None = None) -> list[Meeting]:
    """The project's meetings recorded since ``since`` (a return to drafting voids older ones)."""
    query = select(Meeting).where(Meeting.project_id == project.id)
    if since is not None:
        query = query.where(Meeting.recorded_at >= since)
    return list(session.scalars(query.order_by(Meeting.held_on, Meeting.id)))


def check_deliberations(session: Session, project, since: dt.datetime | None) -> None:
    """Raise unless every deliberation of the process is on record, passed and in order.

    The latest meeting of each kind counts (a failed vote may be held again). With
    一肩挑 a joint discussion marked ``merges_previous`` also stands for the proposal.
    """
    definition = project.definition
    latest: dict[str, Meeting] = {}
    for meeting in meetings_of(session, project, since):
        latest[meeting.kind] = meeting
        if meeting.merges_previous and definition.mergeable and meeting.kind == definition.mergeable[1]:
            latest[definition.mergeable[0]] = meeting
    previous: Meeting | None = None
    for kind in definition.deliberations:
        rule = definition.rule(kind)
        meeting = latest.get(kind)
        if meeting is None:
            raise RuleFailed(
                N_("The %(meeting)s is not on record."), field="meetings", meeting=rule.title
            )
        check_rule(rule, meeting)
        if previous is not None and meeting.held_on < previous.held_on:
            raise RuleFailed(
                N_("The %(meeting)s (%(date)s) was held before the %(previous)s (%(previous_date)s)."),
                field="meetings", meeting=rule.title, date=meeting.held_on.isoformat(),
                previous=definition.rule(previous.kind).title, previous_date=previous.held_on.isoformat(),
            )
        previous = meeting
