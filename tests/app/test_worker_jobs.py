"""Jobs and scheduled checks with a REAL worker process against Redis (issue #6 and #8).

* a task delivered twice does its work once, with the result the same run gives in-process;
* a worker killed with SIGKILL in the middle of a job: the next worker runs the job again
  and its effect (the file, the notification) exists exactly once.

Needs ``CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/<db>``; skipped with that reason
otherwise (``REQUIRE_SERVICES=1`` turns the skip into a failure).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.jobs.models import DONE, RUNNING, Job
from app.jobs.operations import create_job
from app.system.models import WorkerHeartbeat
from app.system.notifications import Notification
from ledger.organisations import by_code
from ledger.users import User
from tests.conftest import WORLD_TODAY
from tests.app import worker_kinds

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")
YEAR = WORLD_TODAY.year

pytestmark = [
    pytest.mark.broker,
    pytest.mark.concurrent,
    pytest.mark.skipif(not BROKER.startswith("redis://"),
                       reason="needs Redis: set CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/13"),
]


class Worker:
    """A ``celery worker`` process on its own queue of the test's database and broker."""

    def __init__(self, database_url: str, queue: str, tmp_path: Path):
        self.env = {
            **os.environ, "APP_ENV": "development", "DATABASE_URL": database_url, "CELERY_BROKER_URL": BROKER,
            "INSTANCE_PATH": str(tmp_path / "worker-instance"), "SECRET_KEY": "worker-test",
            "CELERY_IMPORTS": worker_kinds.__name__, "CELERY_VISIBILITY_TIMEOUT": "2", "JOB_LEASE_SECONDS": "3",
        }
        self.queue, self.log = queue, tmp_path / f"worker-{queue}.log"
        self.process = None

    def start(self) -> Worker:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "wsgi:celery_app", "worker", "--pool=solo",
                 "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-Q", self.queue, "--loglevel=INFO"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True,
            )
        return self

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


@pytest.fixture
def worker_factory(app, database, tmp_path):
    celery = app.extensions["celery"]
    celery.conf.broker_url = BROKER
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"  # a shared Redis never mixes two runs
    started = []

    def make() -> Worker:
        worker = Worker(database.url, queue, tmp_path).start()
        started.append(worker)
        return worker

    make.send = lambda name, *args: celery.send_task(name, args=list(args), queue=queue)
    yield make
    for worker in started:
        worker.stop()
    with celery.connection_for_write() as connection:  # leave nothing of this test on the broker
        connection.default_channel.queue_purge(queue)


def wait_for(session, predicate, worker: Worker, seconds: float = 25):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.expire_all()
        found = predicate()
        if found:
            return found
        assert worker.process.poll() is None, f"the worker stopped:\n{worker.output()}"
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s; the worker said:\n{worker.output()}")


def _job(app, kind: str, **parameters) -> int:
    from app.extensions import db

    with app.app_context():
        finance = db.session.scalar(select(User).where(User.username == "finance-s0101"))
        street = by_code(db.session, "S0101")
        job = create_job(db.session, kind, street, finance, {"organisation_id": street.id, "fiscal_year": YEAR,
                                                             **parameters})
        db.session.commit()
        return job.id


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_tasks_delivered_twice_do_their_work_once_as_in_process(app, world, session, worker_factory):
    from app.extensions import db
    from app.jobs.tasks import run_job
    from app.system.checks import run_checks

    in_process = _job(app, "finance.export_trial_balances")
    assert run_job(in_process) == DONE
    with app.app_context():  # what the checks would find, seen in-process and rolled back
        expected = run_checks(db.session)
        expected_keys = set(db.session.scalars(select(Notification.key)))
        db.session.rollback()
    assert sum(expected.values()) > 0, "the demo city has findings for the checks"

    by_worker = _job(app, "finance.export_trial_balances")
    worker = worker_factory()
    for _ in range(2):
        worker_factory.send("app.jobs.tasks.run_job", by_worker)
        worker_factory.send("app.system.tasks.run_scheduled_checks")
    worker_factory.send("app.system.tasks.record_heartbeat")  # one worker, in order: the last
    wait_for(session, lambda: session.scalar(select(WorkerHeartbeat)), worker)

    job, reference = session.get(Job, by_worker), session.get(Job, in_process)
    assert (job.status, job.attempts) == (DONE, 1)  # the second delivery did not run it again
    assert _sheets(job.result_bytes) == _sheets(reference.result_bytes)
    keys = session.scalars(select(Notification.key)).all()
    assert sorted(keys) == sorted(expected_keys)  # each finding once, as in-process
    with app.app_context():
        assert sum(run_checks(db.session).values()) == 0  # nothing left for another run
        db.session.rollback()


def test_a_job_whose_worker_is_killed_runs_again_and_its_effect_happens_once(app, world, session,
                                                                              worker_factory):
    job_id = _job(app, worker_kinds.KIND, pause=0.4)
    first = worker_factory()
    worker_factory.send("app.jobs.tasks.run_job", job_id)
    wait_for(session, lambda: (j := session.get(Job, job_id)).status == RUNNING and j.progress >= 2, first)
    first.kill()  # SIGKILL in the middle: nothing is acknowledged, nothing more committed
    session.expire_all()
    job = session.get(Job, job_id)
    assert (job.status, job.attempts, job.result_bytes) == (RUNNING, 1, None)
    key = f"test-export:{job_id}"
    assert session.scalar(select(func.count(Notification.id)).where(Notification.key == key)) == 0

    second = worker_factory()  # Redis gives the unacknowledged task to the new worker
    job = wait_for(session, lambda: (j := session.get(Job, job_id)).status == DONE and j, second)
    assert job.attempts >= 2
    assert set(_sheets(job.result_bytes)) == {"Q010101", "Q010102", "Q010103"}
    assert session.scalar(select(func.count(Notification.id)).where(Notification.key == key)) == 1
    assert session.scalar(select(func.count(Job.id))) == 1
