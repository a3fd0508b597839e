"""What the public board may show, read through the cores: nothing here writes.

A resident sees a community's published notices, the projects that reached publicity or
approval, their results and the posted figures of the books. Nothing names a person:
notices and answers are signed by the body that gave them (社区党组织, 街道党工委),
objectors and households are never shown, and a project's responsible person stays
inside the application.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from ledger.base import utcnow
from ledger.books import Book
from ledger.organisations import CODE_PATTERN, Organisation
from ledger.reports import execution_by_organisation, execution_by_purpose
from ledger.reports.common import ZERO
from workflows.events import ProjectEvent
from workflows.meetings import Meeting
from workflows.projects import Project
from workflows.publicity import Objection, PublicNotice, current_notices
from workflows.satisfaction import Satisfaction, satisfaction_of

from ..auth.models import RoleAssignment

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """Today in China, where the fiscal year and the publicity days are counted."""
    return utcnow().astimezone(SHANGHAI).date()


# -- loading, with 404 for anything not public ------------------------------------------

def community_or_404(session: Session, code: str) -> Organisation:
    """The active community of ``code``; 404 for any other code or level."""
    if not CODE_PATTERN.fullmatch(code):  # no database is asked about what cannot be a code
        abort(404)
    org = session.scalar(select(Organisation).where(
        Organisation.code == code, Organisation.level == "community", Organisation.is_active.is_(True)
    ))
    if org is None:
        abort(404)
    return org


def _started_notice(now: dt.datetime):
    return exists().where(PublicNotice.project_id == Project.id, PublicNotice.starts_at <= now)


def public_projects_query(community: Organisation, now: dt.datetime):
    """Projects residents may see: approved (备案) or with a published notice."""
    return select(Project).where(
        Project.community_id == community.id,
        or_(Project.approved_amount.is_not(None), _started_notice(now)),
    )


#: The largest id a column holds; a longer number in a URL is no object (and no database error).
MAX_ID = 2**31 - 1


def project_or_404(session: Session, community: Organisation, project_id: int) -> Project:
    """A public project of this community; 404 for a draft or another community's project."""
    if project_id > MAX_ID:
        abort(404)
    project = session.scalar(public_projects_query(community, utcnow()).where(Project.id == project_id))
    if project is None:
        abort(404)
    return project


def notice_or_404(session: Session, community: Organisation, notice_id: int) -> PublicNotice:
    """A notice of this community that has been published; 404 otherwise."""
    if notice_id > MAX_ID:
        abort(404)
    notice = session.scalar(select(PublicNotice).where(
        PublicNotice.id == notice_id, PublicNotice.community_id == community.id,
        PublicNotice.starts_at <= utcnow(),
    ))
    if notice is None:
        abort(404)
    return notice


# -- the board -------------------------------------------------------------------------

def days_left(notice: PublicNotice, now: dt.datetime) -> int:
    """Whole days until the notice ends, counting a started day as one (0: it has ended)."""
    seconds = (notice.ends_at - now).total_seconds()
    if seconds <= 0:
        return 0
    return int(-(-seconds // 86400))


def valid_until(session: Session, community: Organisation, now: dt.datetime) -> dt.datetime:
    """When the board changes with no commit: a notice starts, ends or counts one day less,
    or a new year makes it the default year."""
    moments = [dt.datetime(now.astimezone(SHANGHAI).year + 1, 1, 1, tzinfo=SHANGHAI)]
    for starts, ends in session.execute(select(PublicNotice.starts_at, PublicNotice.ends_at).where(
        PublicNotice.community_id == community.id, PublicNotice.ends_at > now,
    )):
        moments.append(ends)
        if starts > now:
            moments.append(starts)
        else:  # running: its days left count down at the same hour every day
            left = int(-(-(ends - now).total_seconds() // 86400))
            moments.append(ends - dt.timedelta(days=left - 1))
    return min(moments)


@dataclass
class NoticeRow:
    notice: PublicNotice
    project: Project
    days_left: int
    objections: int


def board_notices(session: Session, community: Organisation, now: dt.datetime) -> list[NoticeRow]:
    """The community's running notices (当前公示), soonest ending first, with their projects."""
    notices = current_notices(session, community, now)
    counts = dict(session.execute(
        select(Objection.notice_id, func.count(Objection.id))
        .where(Objection.notice_id.in_([n.id for n in notices])).group_by(Objection.notice_id)
    ).all()) if notices else {}
    projects = {p.id: p for p in session.scalars(
        select(Project).where(Project.id.in_([n.project_id for n in notices]))
    )} if notices else {}
    return [NoticeRow(n, projects[n.project_id], days_left(n, now), counts.get(n.id, 0)) for n in notices]


def past_notices(session: Session, community: Organisation, now: dt.datetime, limit: int = 20) -> list[PublicNotice]:
    """Notices whose period is over (or that were closed), newest first."""
    return list(session.scalars(
        select(PublicNotice).where(
            PublicNotice.community_id == community.id, PublicNotice.starts_at <= now,
            or_(PublicNotice.ends_at <= now, PublicNotice.closed_at.is_not(None)),
        ).order_by(PublicNotice.ends_at.desc(), PublicNotice.id.desc()).limit(limit)
    ))


def is_finished(project: Project) -> bool:
    """Implemented and at acceptance, results publicity or closed (not rejected)."""
    return project.step.survey or project.state == "closed"


@dataclass
class ProjectBoard:
    under_way: list[Project] = field(default_factory=list)  # approved, being implemented
    #: Resolved and published, not (yet) approved by the street office, or not approved at all.
    others: list[Project] = field(default_factory=list)
    finished: list[Project] = field(default_factory=list)
    satisfaction: dict[int, Satisfaction] = field(default_factory=dict)


def board_projects(session: Session, community: Organisation, now: dt.datetime) -> ProjectBoard:
    """Approved projects being implemented, and finished ones with their satisfaction."""
    board = ProjectBoard()
    projects = session.scalars(public_projects_query(community, now).order_by(Project.plan_year.desc(), Project.id))
    for project in projects:
        if is_finished(project):
            board.finished.append(project)
            board.satisfaction[project.id] = satisfaction_of(session, project)
        elif project.approved_amount is not None and not project.step.final:
            board.under_way.append(project)
        else:
            board.others.append(project)
    return board


@dataclass
class Spending:
    """The year's posted figures of the community's books (已记账数)."""

    year: int
    allocated: Decimal = ZERO
    received: Decimal = ZERO
    spent: Decimal = ZERO
    balance: Decimal = ZERO
    by_purpose: list[tuple[str, Decimal, Decimal | None]] = field(default_factory=list)
    unclassified: Decimal = ZERO
    has_books: bool = False


def spending(session: Session, community: Organisation, year: int) -> Spending:
    """Fund received, spent by purpose and balance, from ``ledger.reports`` (posted vouchers only)."""
    result = Spending(year)
    result.has_books = session.scalar(
        select(Book.id).where(Book.organisation_id == community.id, Book.fiscal_year == year).limit(1)
    ) is not None
    totals = execution_by_organisation(session, community, year, level="community")
    if len(totals):
        row = totals.iloc[0]
        result.allocated, result.received = row["allocated"], row["arrived"]
        result.spent, result.balance = row["spent"], row["balance"]
    purposes = execution_by_purpose(session, community, year)
    rows = [(r["name"], r["spent"], r["share"]) for r in purposes.to_dict("records")]
    result.by_purpose = sorted(rows, key=lambda row: -row[1])  # the largest use first
    result.unclassified = result.spent - sum((spent for _, spent, _ in result.by_purpose), ZERO)
    return result


def book_years(session: Session, community: Organisation) -> list[int]:
    """The fiscal years the community has books for, newest first."""
    return list(session.scalars(
        select(Book.fiscal_year).where(Book.organisation_id == community.id).distinct()
        .order_by(Book.fiscal_year.desc())
    ))


# -- one project or notice -------------------------------------------------------------

def meetings_of(session: Session, project: Project) -> list[Meeting]:
    """The deliberations (四议) on record: date and tally, never the minutes' names."""
    return list(session.scalars(
        select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.held_on, Meeting.id)
    ))


def notices_of(session: Session, project: Project, now: dt.datetime) -> list[PublicNotice]:
    return list(session.scalars(
        select(PublicNotice).where(PublicNotice.project_id == project.id, PublicNotice.starts_at <= now)
        .order_by(PublicNotice.starts_at, PublicNotice.id)
    ))


def acceptance_of(session: Session, project: Project) -> ProjectEvent | None:
    """The transition that left the first survey step (验收通过), if the project got that far."""
    for event in session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id)
    ):
        try:
            left_survey = project.definition.step(event.from_state).survey
        except KeyError:
            continue
        if left_survey and event.to_state != event.from_state:
            return event
    return None


def signing_roles(session: Session, user_ids) -> dict[int, str]:
    """For each user, the body that signs their public acts: the street's or the community's.

    The public sees the body (社区党组织 / 街道党工委), never the person.
    """
    users = {u for u in user_ids if u}
    if not users:
        return {}
    street = set(session.scalars(
        select(RoleAssignment.user_id).where(RoleAssignment.user_id.in_(users),
                                             RoleAssignment.role == "street_committee")
    ))
    return {u: ("street_committee" if u in street else "community_staff") for u in users}
