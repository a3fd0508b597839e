"""Background tasks of the system area. Tasks take ids or plain values, never ORM objects."""

from __future__ import annotations

import socket

from celery import shared_task
from celery.signals import worker_ready
from sqlalchemy import func, select

from ledger.organisations import Organisation
from ledger.users import User
from workflows.timers import end_publicity

from ..extensions import db
from .checks import run_checks
from .models import WorkerHeartbeat

#: Heartbeats older than this many are deleted, so the table stays small.
KEEP = 500


@shared_task(name="app.system.tasks.record_heartbeat")
def record_heartbeat() -> int:
    """Write a heartbeat with what the worker can see of the database; prune old ones."""
    beat = WorkerHeartbeat(
        hostname=socket.gethostname()[:255],
        organisations=db.session.scalar(select(func.count(Organisation.id))),
        users=db.session.scalar(select(func.count(User.id))),
    )
    db.session.add(beat)
    db.session.flush()
    db.session.execute(
        WorkerHeartbeat.__table__.delete().where(WorkerHeartbeat.id <= beat.id - KEEP)
    )
    return beat.id


def latest_heartbeat() -> WorkerHeartbeat | None:
    return db.session.scalar(select(WorkerHeartbeat).order_by(WorkerHeartbeat.id.desc()).limit(1))


@worker_ready.connect
def _heartbeat_on_start(sender=None, **_kwargs) -> None:
    """Report at once when a worker starts, rather than after the first interval."""
    sender.app.send_task("app.system.tasks.record_heartbeat")


@shared_task(name="app.system.tasks.end_publicity_periods")
def end_publicity_periods() -> dict:
    """Close publicity notices (公示) whose period ended and move their projects on.

    Idempotent: a notice already closed, or a project already moved, is left alone; a
    project held back by an unanswered objection is tried again next time.
    """
    outcomes = end_publicity(db.session)
    return {"closed": sum(o.closed for o in outcomes), "advanced": sum(o.advanced_by is not None for o in outcomes),
            "held_back": sum(o.refused is not None for o in outcomes)}


@shared_task(name="app.system.tasks.run_scheduled_checks")
def run_scheduled_checks() -> dict:
    """Nightly: verify the books, execution behind schedule, overdue steps, plan deadlines."""
    return run_checks(db.session)
