"""A real Celery worker process runs a task of the app against a real broker.

Locally the broker is the embedded one (kombu's SQLAlchemy transport on a SQLite file);
``.ci/run`` sets ``CELERY_TEST_BROKER_URL`` to the Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.system.models import WorkerHeartbeat

pytestmark = pytest.mark.concurrent  # a real worker process

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_process_records_a_heartbeat(app, database, session, tmp_path):
    broker = os.environ.get("CELERY_TEST_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    celery = app.extensions["celery"]
    celery.conf.broker_url = broker
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"  # a shared Redis never mixes two runs
    env = {
        **os.environ, "APP_ENV": "development", "DATABASE_URL": database.url,
        "CELERY_BROKER_URL": broker, "INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "SECRET_KEY": "worker-test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wsgi:celery_app", "worker", "--pool=solo",
         "--concurrency=1", "--without-gossip", "--without-mingle", "-Q", queue, "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        celery.send_task("app.system.tasks.record_heartbeat", queue=queue)
        deadline = time.monotonic() + 60
        beat = None
        while beat is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
            session.expire_all()
            beat = session.scalar(select(WorkerHeartbeat))
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert beat is not None, f"no heartbeat within 60 s; worker said:\n{output[-3000:]}"
    assert beat.at.tzinfo is not None
