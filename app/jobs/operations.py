"""Creating, dispatching and confirming jobs (the kinds they run are in ``kinds.py``)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from ledger.errors import DomainError, N_
from ledger.organisations import Organisation
from ledger.users import User

from .kinds import KINDS
from .models import QUEUED, WAITING, Job
from .tasks import run_job


class JobError(DomainError):
    """A job that cannot be confirmed as asked."""


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
    """Another person confirms a waiting job: first as its reviewer, then a third as its
    poster, after which it is queued. Re-checked under the job's row lock, so a confirmation
    sent twice or by two clerks at once counts once."""
    session.refresh(job, with_for_update=True)
    if job.status != WAITING:
        raise JobError(N_("This job is not waiting for a confirmation."), field="job")
    if by.id in (job.requested_by_id, job.confirmed_by_id):
        raise JobError(
            N_("%(user)s already requested or confirmed this job and cannot confirm it again: "
               "another clerk must."), field="job", user=by.username,
        )
    if job.confirmed_by_id is None:
        job.confirmed_by_id, job.message = by.id, N_("Reviewed; waiting for a third clerk to confirm the posting.")
    else:
        job.status, job.poster_id, job.message = QUEUED, by.id, N_("Queued.")
    session.flush()
    return job


def dispatch(job_id: int) -> None:
    """Hand the job to the worker, after the commit that made it (tests run it themselves)."""
    if not current_app.config.get("JOBS_DISPATCH", not current_app.testing):
        return
    try:
        run_job.apply_async(args=[job_id])
    except Exception:  # a broker that is down leaves the job queued, visible on its page
        current_app.logger.exception("job %s could not be sent to the worker", job_id)


def can_see(job: Job, principal) -> bool:
    """The requester, or anyone who may do the job's action on its organisation."""
    return principal.is_authenticated and (
        principal.id == job.requested_by_id or principal.can(job.action, job.organisation)
    )
