"""The audit trail of configuration changes (操作日志): who changed what, and when.

Postings and workflow transitions keep their own, richer histories in the cores; this
log covers the rest (organisations, users, roles, logins).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(session: Session, actor_id: int | None, action: str, obj, **details) -> None:
    """Append an audit event about ``obj`` (a mapped object with an ``id``, or ``None``)."""
    session.add(AuditEvent(
        actor_id=actor_id, action=action,
        object_type=obj.__tablename__ if obj is not None else "-",
        object_id=getattr(obj, "id", None),
        details={k: str(v) for k, v in details.items()},
    ))
