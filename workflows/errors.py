"""Refusals of the workflow core: each says what was wrong, in which field, what is allowed."""

from __future__ import annotations

import datetime as dt

from ledger.base import china_today
from ledger.errors import DomainError, N_

__all__ = [
    "DomainError", "N_", "WorkflowError", "TransitionRefused", "RoleRefused", "RuleFailed",
    "EvidenceRefused", "check_not_future",
]


class WorkflowError(DomainError):
    """A workflow operation that cannot be done as asked."""


def check_not_future(day: dt.date, field: str) -> None:
    """Refuse the date of something that happened when it is after today (China time)."""
    today = china_today()
    if isinstance(day, dt.date) and day > today:
        raise WorkflowError(N_("%(day)s is after today (%(today)s): a record of what happened cannot be dated "
                               "in the future."), field=field, day=day.isoformat(), today=today.isoformat())


class TransitionRefused(WorkflowError):
    """An event that has no transition from the project's current step."""


class RoleRefused(WorkflowError):
    """An actor whose role may not take this step."""


class RuleFailed(WorkflowError):
    """A rule of the process (quorum, majority, publicity, objection...) is not met."""


class EvidenceRefused(WorkflowError):
    """A file that cannot be kept as evidence (type, size, name, compression)."""
