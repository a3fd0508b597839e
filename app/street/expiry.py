"""When a dashboard's figures change with no commit: a project falling overdue, or one more day over.

A cached dashboard (app/cache.py) is kept until then. The timers of ``workflows.timers``
count a project overdue once its step's limit has passed, and its days over in whole
days; an emergency's follow-up falls due the same way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ledger.organisations import Organisation

from .figures import projects_under

DAY = dt.timedelta(days=1)


def next_tick(deadline: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The deadline itself, or once passed, the moment its whole days over grow by one."""
    if deadline >= now:
        return deadline
    return deadline + ((now - deadline).days + 1) * DAY


def valid_until(session: Session, root: Organisation, now: dt.datetime) -> dt.datetime | None:
    """The first moment a timer of a project under ``root`` changes the board (``None``: none will)."""
    moments = []
    for project in session.scalars(projects_under(session, root)):
        step = project.step
        if step.final:
            continue
        if step.max_days is not None:
            moments.append(next_tick(project.state_since + step.max_days * DAY, now))
        if project.follow_up_due is not None:
            moments.append(next_tick(project.follow_up_due, now))
    return min(moments, default=None)
