"""What the background worker last reported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.base import Base, utcnow


class WorkerHeartbeat(Base):
    """A row written by the ``record_heartbeat`` task: proof the worker and broker run."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    hostname: Mapped[str] = mapped_column(String(255))
    organisations: Mapped[int]
    users: Mapped[int]
