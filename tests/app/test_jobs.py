"""Background jobs: progress, the file when done, who may see them, idempotent runs."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.jobs.models import Job
from app.jobs.tasks import run_job
from tests.app.conftest import csrf_token
from tests.app.test_finance_setup import YEAR, fin  # noqa: F401


def _request_export(client, org_id: int, kind: str = "trial_balances"):
    return client.post("/finance/exports", data={
        "csrf_token": csrf_token(client, "/home"), "kind": kind, "organisation": org_id,
        "fiscal_year": YEAR, "by": "community"})


def test_an_export_job_shows_progress_then_its_file(fin, session, login_as):
    client = login_as("committee-s0101")
    street = fin.book.organisation.parent_id
    response = _request_export(client, street)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = session.scalars(select(Job)).one()
    page = client.get(f"/jobs/{job.id}")
    assert page.headers.get("Refresh") == "2" and "<script" not in page.get_data(as_text=True)
    assert "0%" in page.get_data(as_text=True)
    assert client.get(f"/jobs/{job.id}/download").status_code == 302  # not ready yet
    assert run_job(job.id) == "done"
    page = client.get(f"/jobs/{job.id}")
    assert "Refresh" not in page.headers and "100%" in page.get_data(as_text=True)
    download = client.get(f"/jobs/{job.id}/download")
    workbook = load_workbook(io.BytesIO(download.get_data()))
    assert workbook.sheetnames == ["Q010101", "Q010102", "Q010103"]
    assert run_job(job.id) == "done"  # a redelivered task does not redo a finished job


def test_a_district_execution_export(fin, session, login_as):
    client = login_as("oversight-d01")
    district = fin.book.organisation.parent.parent_id
    _request_export(client, district, "execution")
    job = session.scalars(select(Job)).one()
    run_job(job.id)
    sheet = load_workbook(io.BytesIO(client.get(f"/jobs/{job.id}/download").get_data())).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Q010101" in codes and "Q010201" in codes and "Q020101" not in codes


def test_only_the_requester_or_the_same_scope_sees_a_job(fin, session, login_as):
    _request_export(login_as("finance-s0101"), fin.book.organisation_id)
    job = session.scalars(select(Job)).one()
    assert login_as("finance2-s0101").get(f"/jobs/{job.id}").status_code == 200
    assert login_as("secretary-q010101").get(f"/jobs/{job.id}").status_code == 200  # books of her community
    assert login_as("secretary-q010102").get(f"/jobs/{job.id}").status_code == 404
    assert login_as("finance-s0102").get(f"/jobs/{job.id}").status_code == 404
    assert login_as("finance-xs0101").get(f"/jobs/{job.id}/download").status_code == 404
    assert "#" + str(job.id) not in login_as("finance-s0102").get("/jobs/").get_data(as_text=True)


def test_a_refused_export_of_a_foreign_organisation(fin, session, login_as):
    from ledger.organisations import by_code

    foreign = by_code(session, "XS0101")
    response = _request_export(login_as("finance-s0101"), foreign.id)
    assert response.status_code == 404
    assert session.scalar(select(Job)) is None


def test_a_failing_job_says_why(fin, session, login_as, app):
    from app.jobs.operations import create_job
    from ledger.users import User

    with app.app_context():
        from app.extensions import db

        user = db.session.scalar(select(User).where(User.username == "finance-s0101"))
        from ledger.organisations import Organisation

        org = db.session.get(Organisation, fin.book.organisation_id)
        job = create_job(db.session, "finance.export_execution", org, user,
                         {"organisation_id": fin.book.organisation_id, "fiscal_year": YEAR, "by": "district"})
        db.session.commit()
        job_id = job.id
    assert run_job(job_id) == "failed"
    page = login_as("finance-s0101").get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "district" in page or "区" in page


def test_a_running_job_is_not_run_twice_until_its_lease_runs_out(fin, session, login_as, app):
    import datetime as dt

    import pytest

    from app.jobs.tasks import JobHeld, claim, execute

    _request_export(login_as("finance-s0101"), fin.book.organisation_id)
    job = session.scalars(select(Job)).one()
    with app.app_context():
        assert claim(job.id) is True  # a worker took it...
        with pytest.raises(JobHeld):  # ...so a second delivery waits rather than running it too
            execute(job.id)
    session.expire_all()
    assert (session.get(Job, job.id).status, session.get(Job, job.id).attempts) == ("running", 1)
    session.get(Job, job.id).lease_until = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    session.commit()  # that worker was lost: its lease ran out
    assert run_job(job.id) == "done"
    session.expire_all()
    assert session.get(Job, job.id).attempts == 2 and session.get(Job, job.id).result_bytes
