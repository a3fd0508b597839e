"""Creating, dispatching and confirming jobs, and the registry of what each kind does.

An area registers a kind with ``register(kind, title, handler, writes=...)``. A handler
takes the job and a ``progress(percent, message)`` callback; it fills the job's result
(a file, counts) and raises ``JobFailed`` to fail with a report. A handler that writes to
the books never reports progress half-way: its work and the job's ``done`` are committed
together, so a worker killed in the middle leaves nothing behind and the redelivered
task starts again from a clean slate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from ledger.errors import DomainError, N_
from ledger.organisations import Organisation
from ledger.users import User

from .models import QUEUED, WAITING, Job


@dataclass(frozen=True)
class Kind:
    title: object  # lazy translated string
    handler: Callable
    writes: bool = False


KINDS: dict[str, Kind] = {}


def register(kind: str, title, handler: Callable, writes: bool = False) -> None:
    """Make ``kind`` runnable (called once, at import of an area's module)."""
    KINDS[kind] = Kind(title, handler, writes)


class JobFailed(Exception):
    """A handler's refusal: a message (template and params) and a result to show."""

    def __init__(self, template: str, result: dict | None = None, **params):
        self.template, self.params, self.result = template, params, result or {}
        super().__init__(template % params if params else template)


class JobError(DomainError):
    """A job that cannot be confirmed as asked."""


def message_of(template: str, **params) -> dict:
    """A message kept on a job, translated when the page shows it."""
    return {"template": template, "params": {k: plain(v) for k, v in params.items()}}


def plain(value):
    """``value`` as JSON keeps it: numbers stay numbers (``%(month)02d``), the rest is text."""
    return value if isinstance(value, (int, str)) or value is None else str(value)


def create_job(
    session: Session, kind: str, organisation: Organisation, by: User, parameters: dict | None = None,
    action: str = "books.view", payload: bytes | None = None, needs_confirmation: bool = False,
    summary: list[dict] | None = None,
) -> Job:
    """A new job, queued (or waiting for a second person); flushes, the caller commits."""
    if kind not in KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind, organisation=organisation, requested_by_id=by.id, action=action,
        parameters={**(parameters or {}), "summary": summary or []}, payload=payload,
        status=WAITING if needs_confirmation else QUEUED, progress=0,
        message=N_("Waiting for a second clerk to confirm.") if needs_confirmation else N_("Queued."),
    )
    session.add(job)
    session.flush()
    return job


def confirm_job(session: Session, job: Job, by: User) -> Job:
    """A second person confirms a waiting job: it is queued, with them as reviewer."""
    if job.status != WAITING:
        raise JobError(N_("This job is not waiting for a confirmation."), field="job")
    if job.requested_by_id == by.id:
        raise JobError(
            N_("%(user)s requested this job and cannot also confirm it: another clerk must."),
            field="job", user=by.username,
        )
    job.status, job.confirmed_by_id, job.message = QUEUED, by.id, N_("Queued.")
    session.flush()
    return job


def dispatch(job_id: int) -> None:
    """Hand the job to the worker, after the commit that made it (tests run it themselves)."""
    if not current_app.config.get("JOBS_DISPATCH", not current_app.testing):
        return
    from .tasks import run_job

    try:
        run_job.apply_async(args=[job_id])
    except Exception:  # a broker that is down leaves the job queued, visible on its page
        current_app.logger.exception("job %s could not be sent to the worker", job_id)


def can_see(job: Job, principal) -> bool:
    """The requester, or anyone who may do the job's action on its organisation."""
    return principal.is_authenticated and (
        principal.id == job.requested_by_id or principal.can(job.action, job.organisation)
    )
