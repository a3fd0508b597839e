"""The Celery task that runs a job by its id: once, whatever the retries.

``acks_late`` with ``reject_on_worker_lost`` (the app's Celery settings) means a worker
that dies mid-job leaves the message on the broker, and the next worker runs it again;
a job already ``done`` (or failed, or still waiting) is left as it is.
"""

from __future__ import annotations

import logging

from celery import shared_task

from ledger.base import utcnow
from ledger.errors import DomainError, N_

from ..extensions import db
from .models import DONE, FAILED, QUEUED, RUNNING, Job
from .operations import KINDS, JobFailed, message_of

log = logging.getLogger(__name__)


def _progress(job: Job, writes: bool):
    def report(percent: int, message: str | None = None) -> None:
        job.progress = max(0, min(99, int(percent)))
        if message:
            job.message = message
        if not writes:  # a reading job commits its progress; a writing one must not
            db.session.commit()
    return report


def _fail(job_id: int, template: str, params: dict, result: dict | None = None) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    job.status, job.finished_at = FAILED, utcnow()
    job.message = template
    job.result = {**(result or {}), "error": message_of(template, **params)}
    job.payload = None
    db.session.commit()


def execute(job_id: int) -> str | None:
    """Run job ``job_id`` now in this process; return its final status (``None``: not run)."""
    job = db.session.get(Job, job_id)
    if job is None or job.status not in (QUEUED, RUNNING):
        return job.status if job else None
    kind = KINDS.get(job.kind)
    if kind is None:
        _fail(job_id, N_("This kind of job is unknown: %(kind)s."), {"kind": job.kind})
        return FAILED
    job.status, job.started_at, job.progress = RUNNING, utcnow(), max(job.progress, 1)
    job.message = N_("Working…")
    db.session.commit()
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
    job.status, job.progress, job.finished_at = DONE, 100, utcnow()
    if job.message == N_("Working…"):
        job.message = N_("Done.")
    job.payload = None  # an uploaded file is not kept once it has been used
    db.session.commit()
    return DONE


@shared_task(name="app.jobs.tasks.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str | None:
    """The worker's entry point (the task takes the id, never the job)."""
    return execute(job_id)
