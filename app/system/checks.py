"""Scheduled checks (定期检查): each finds what needs someone's attention and notifies them.

Run nightly by Celery (``app.system.tasks.run_scheduled_checks``); each check is
idempotent through the notification keys, so a retried or repeated run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books import Book
from ledger.errors import N_
from ledger.organisations import Organisation
from ledger.reports.common import Rounding
from ledger.reports.execution import execution_by_organisation
from ledger.verify import verify_book
from workflows.emergency import overdue_follow_ups

from workflows.projects import Project
from workflows.timers import overdue_steps, plan_deadlines

from .notifications import notify

#: The share of the year's fund a community should have spent by the end of each quarter.
QUARTER_TARGETS = {1: Decimal(10), 2: Decimal(35), 3: Decimal(60), 4: Decimal(90)}


def check_books(session: Session, today: dt.date) -> int:
    """Nightly verification of every book (hash chain, balance, numbering) → street finance."""
    found = 0
    for book in session.scalars(select(Book)):
        problems = verify_book(session, book)
        if problems:
            street = book.organisation if book.organisation.level == "street" else book.organisation.parent
            found += notify(session, f"verify:{book.id}:{today}", street, "street_finance", "books",
                            N_("The books %(book)s failed verification: %(problem)s"),
                            book=book.label, problem=str(problems[0]))
    return found


def check_execution(session: Session, today: dt.date) -> int:
    """After each quarter, communities spending behind the quarter's target → street committee."""
    quarter = (today.month - 1) // 3  # the last quarter that has ended
    year = today.year if quarter else today.year - 1
    quarter = quarter or 4
    target = QUARTER_TARGETS[quarter]
    found = 0
    for street in session.scalars(select(Organisation).where(Organisation.level == "street")):
        frame = execution_by_organisation(session, street, year, level="community", rounding=Rounding("truncate", 2))
        for row in frame.itertuples():
            rate = row.execution_rate if row.execution_rate is not None else Decimal(0)
            if row.allocated and rate < target:
                found += notify(session, f"execution:{row.organisation}:{year}Q{quarter}", street, "street_committee",
                                "execution",
                                N_("%(community)s has spent %(rate)s%% of its fund by the end of Q%(quarter)s %(year)s; "
                                   "the target is %(target)s%%."),
                                community=row.name, rate=rate, quarter=quarter, year=year, target=target)
    return found


def check_projects(session: Session, today: dt.date) -> int:
    """Overdue steps and emergency follow-ups → the community and its street committee."""
    now = dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.timezone.utc)
    found = 0
    for overdue in overdue_steps(session, now):
        project = session.get(Project, overdue.project_id)
        for org, role in ((project.community, "community_staff"), (project.community.parent, "street_committee")):
            found += notify(session, f"overdue:{project.id}:{overdue.step}:{role}", org, role, "overdue",
                            N_("%(project)s of %(community)s has been at step %(step)s for %(days)s days too long."),
                            project=project.title, community=project.community.name,
                            step=project.step.title, days=overdue.days_over)
    for late in overdue_follow_ups(session, now):
        project = session.get(Project, late.project_id)
        for org, role in ((project.community, "community_staff"), (project.community.parent, "street_committee")):
            found += notify(session, f"emergency:{project.id}:{role}", org, role, "emergency",
                            N_("Emergency project %(project)s of %(community)s has not recorded its deliberations "
                               "and publicity, due %(days)s days ago."),
                            project=project.title, community=project.community.name, days=late.days_over)
    return found


def check_plans(session: Session, today: dt.date) -> int:
    """Next year's plans due soon or overdue → the community."""
    found = 0
    for deadline in plan_deadlines(session, today.year + 1, today=today):
        found += notify(session, f"plan:{deadline.community_id}:{deadline.year}:{deadline.status}",
                        deadline.community_id, "community_staff", "plan",
                        N_("The %(year)s plan is due on %(due)s and has not been submitted."),
                        year=deadline.year, due=deadline.due_on.isoformat())
    return found


CHECKS = (check_books, check_execution, check_projects, check_plans)


def run_checks(session: Session, today: dt.date | None = None) -> dict[str, int]:
    """Every check; how many new notifications each made."""
    today = today or dt.date.today()
    return {check.__name__: check(session, today) for check in CHECKS}
