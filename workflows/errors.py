"""Refusals of the workflow core: each says what was wrong, in which field, what is allowed."""

from __future__ import annotations

from ledger.errors import DomainError, N_

__all__ = [
    "DomainError", "N_", "WorkflowError", "TransitionRefused", "RoleRefused", "RuleFailed",
    "EvidenceRefused",
]


class WorkflowError(DomainError):
    """A workflow operation that cannot be done as asked."""


class TransitionRefused(WorkflowError):
    """An event that has no transition from the project's current step."""


class RoleRefused(WorkflowError):
    """An actor whose role may not take this step."""


class RuleFailed(WorkflowError):
    """A rule of the process (quorum, majority, publicity, objection...) is not met."""


class EvidenceRefused(WorkflowError):
    """A file that cannot be kept as evidence (type, size, name, compression)."""
