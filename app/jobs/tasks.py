"""The Celery task that runs a job by its id: once, whatever the retries and lost workers.

``acks_late`` with ``reject_on_worker_lost`` means a worker that dies mid-job leaves the
message on the broker, and the next worker runs it again. The job row is the state
machine that keeps this safe: a worker *claims* the job with one conditional ``UPDATE``
(queued, or running with an expired lease) and holds a lease renewed with each progress
report. So

* a job already ``done`` or ``failed`` (or still waiting) is left as it is: a message
  delivered twice does the work once;
* a job held by a live worker is not started a second time: the duplicate task comes back
  when the lease would have run out (``retry``);
* a job whose worker was killed is run again by the next delivery, from a clean slate:
  a reading job keeps its result only in the commit that marks it ``done``, a writing job
  commits its work with that same ``done``.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from flask import current_app
from sqlalchemy import and_, or_, update

from ledger.base import utcnow
from ledger.errors import DomainError, N_

from ..extensions import db
from .models import DONE, FAILED, QUEUED, RUNNING, Job
from .kinds import KINDS, JobFailed, message_of

log = logging.getLogger(__name__)

#: How long a worker holds a job without reporting progress (``JOB_LEASE_SECONDS``).
DEFAULT_LEASE = 600


class JobHeld(Exception):
    """Another worker holds the job; try again in ``seconds``."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"job held for {seconds:.0f} s more")


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(current_app.config.get("JOB_LEASE_SECONDS", DEFAULT_LEASE)))


def claim(job_id: int) -> bool:
    """Take the job for this worker: ``True`` when it was queued or its last holder's lease ran out."""
    now = utcnow()
    claimable = or_(Job.status == QUEUED,
                    and_(Job.status == RUNNING, or_(Job.lease_until.is_(None), Job.lease_until < now)))
    result = db.session.execute(
        update(Job).where(Job.id == job_id, claimable)
        .values(status=RUNNING, attempts=Job.attempts + 1, lease_until=now + lease(), progress=1,
                started_at=now, message=N_("Working…"))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _progress(job: Job, writes: bool):
    def report(percent: int, message: str | None = None) -> None:
        job.progress = max(0, min(99, int(percent)))
        if message:
            job.message = message
        if not writes:  # a reading job commits its progress (and renews its lease); a writing one must not
            job.lease_until = utcnow() + lease()
            db.session.commit()
    return report


def _fail(job_id: int, template: str, params: dict, result: dict | None = None) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    job.status, job.finished_at, job.lease_until = FAILED, utcnow(), None
    job.message = template
    job.result = {**(result or {}), "error": message_of(template, **params)}
    job.payload = None
    db.session.commit()


def execute(job_id: int) -> str | None:
    """Run job ``job_id`` now in this process; return its final status (``None``: not run).

    Raises ``JobHeld`` when another worker holds the job.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.status not in (QUEUED, RUNNING):
        return job.status if job else None
    kind = KINDS.get(job.kind)
    if kind is None:
        _fail(job_id, N_("This kind of job is unknown: %(kind)s."), {"kind": job.kind})
        return FAILED
    if not claim(job_id):
        db.session.refresh(job)
        if job.status == RUNNING and job.lease_until is not None:
            raise JobHeld(max((job.lease_until - utcnow()).total_seconds(), 1))
        return job.status
    db.session.refresh(job)
    if job.attempts > 1:
        log.warning("job %s (%s): attempt %s, the previous worker was lost", job_id, job.kind, job.attempts)
    try:
        kind.handler(job, _progress(job, kind.writes))
    except JobFailed as failure:
        _fail(job_id, failure.template, failure.params, failure.result)
        return FAILED
    except DomainError as error:
        _fail(job_id, error.template, error.params)
        return FAILED
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _fail(job_id, N_("The job failed on our side; nothing was saved. Please try again later."), {})
        return FAILED
    job.status, job.progress, job.finished_at, job.lease_until = DONE, 100, utcnow(), None
    if job.message == N_("Working…"):
        job.message = N_("Done.")
    job.payload = None  # an uploaded file is not kept once it has been used
    db.session.commit()
    return DONE


@shared_task(bind=True, name="app.jobs.tasks.run_job", acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def run_job(self, job_id: int) -> str | None:
    """The worker's entry point (the task takes the id, never the job)."""
    try:
        return execute(job_id)
    except JobHeld as held:
        raise self.retry(countdown=held.seconds) from None
