"""The background job (后台任务): long work with its progress, its result and who may see it.

A job names the organisation it is about and the action a user needs there to see it
(``books.view`` for a report, ``books.post`` for an import); its requester always sees
it. Some jobs change the books and need two more people: they wait (``waiting``) until
someone else with the action confirms them as reviewer (审核), then a third as poster
(记账), and run with those three as the vouchers' preparer, reviewer and poster.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.organisations import Organisation
from ledger.users import User

WAITING, QUEUED, RUNNING, DONE, FAILED = "waiting", "queued", "running", "done", "failed"
STATUSES = (WAITING, QUEUED, RUNNING, DONE, FAILED)


class Job(Base):
    """One piece of background work (导入、大报表导出、年终结账) and what became of it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("status <> 'done' OR progress = 100", name="done_is_complete"),
        CheckConstraint("length(trim(kind)) > 0", name="kind_not_blank"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("confirmed_by_id IS NULL OR confirmed_by_id <> requested_by_id",
                        name="reviewer_is_a_second_person"),
        CheckConstraint("poster_id IS NULL OR (confirmed_by_id IS NOT NULL AND poster_id <> confirmed_by_id "
                        "AND poster_id <> requested_by_id)", name="poster_is_a_third_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: An uploaded file the job works on (an import), kept until the job ends.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The action (app/auth/roles.py) that lets someone other than the requester see it.
    action: Mapped[str] = mapped_column(String(32), default="books.view")
    #: The second person, who reviews what the job writes, and the third, who posts it.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    #: Structured outcome shown on the job page (counts, the rows of an import's error report).
    result: Mapped[dict | None] = mapped_column(JSON)
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_mimetype: Mapped[str | None] = mapped_column(String(100))
    result_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    #: How many times a worker has started the job (more than once after a worker was lost).
    attempts: Mapped[int] = mapped_column(default=0)
    #: While a worker runs the job it holds it until this moment, renewed with each progress
    #: report; a redelivered task finding it held waits, one finding it expired runs it again.
    lease_until: Mapped[dt.datetime | None]

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    poster: Mapped[User | None] = relationship(foreign_keys=[poster_id])
    organisation: Mapped[Organisation] = relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def has_file(self) -> bool:
        return self.status == DONE and self.result_bytes is not None

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
