"""Routes of the jobs area: a job's page, its file, confirming a job that waits."""

from __future__ import annotations

from sqlalchemy import select

from app.jobs.models import DONE, WAITING, Job
from ledger.organisations import by_code

from . import BOOK_READERS, FINANCE, STAFF, Route

ROUTES = {
    "jobs.index": Route("GET", "/jobs/", STAFF),
    "jobs.show": Route("GET", "/jobs/{fin_job}", BOOK_READERS, True),
    "jobs.download": Route("GET", "/jobs/{fin_job}/download", BOOK_READERS, True),
    "jobs.confirm": Route("POST", "/jobs/{fin_job_waiting}/confirm", FINANCE, True),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def _job(session, org, requester, kind: str, status: str, action: str) -> Job:
    job = session.scalar(select(Job).where(Job.organisation_id == org.id, Job.kind == kind, Job.status == status))
    if job is None:
        job = Job(kind=kind, organisation=org, requested_by_id=requester.id, action=action, status=status,
                  progress=100 if status == DONE else 0, parameters={"summary": []}, message="Done.")
        if status == DONE:
            job.result_bytes, job.result_name, job.result_mimetype = b"a,b\r\n", "matrix.csv", "text/csv"
        session.add(job)
        session.flush()
    return job


def targets(session, scope: str) -> dict:
    from tests.app.access.finance import _clerk

    org = by_code(session, COMMUNITY[scope])
    requester = _clerk(session, "matrix-clerk-a")
    done = _job(session, org, requester, "finance.export_execution", DONE, "books.view")
    waiting = _job(session, org, requester, "finance.year_end", WAITING, "books.post")
    session.commit()
    return {"fin_job": done.id, "fin_job_waiting": waiting.id}
