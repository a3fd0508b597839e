"""Notices inside the application (站内提醒) for the people responsible.

A notification is addressed to a role over an organisation ("the street committee of
春华街道"), so whoever holds that role sees it, also someone appointed later. Its key
makes every scheduled check idempotent: the same finding for the same period is
recorded once, however often the check runs or is retried.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.organisations import Organisation


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    #: An English msgid with %(name)s placeholders, translated when shown.
    template: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    organisation: Mapped[Organisation] = relationship()


class NotificationRead(Base):
    """That one user has read one notification."""

    __tablename__ = "notification_reads"
    __table_args__ = (UniqueConstraint("notification_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def notify(session: Session, key: str, organisation: Organisation | int, role: str, kind: str,
           template: str, link: str = "", **params) -> bool:
    """Record a notification unless its key exists; ``True`` when it is new.

    Safe when the same check runs twice at once (a task delivered twice): the second
    insert of a key meets the unique constraint inside a savepoint and is dropped alone.
    """
    if session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return False
    org_id = organisation if isinstance(organisation, int) else organisation.id
    try:
        with session.begin_nested():
            session.add(Notification(key=key, organisation_id=org_id, role=role, kind=kind, template=template,
                                     params={k: str(v) for k, v in params.items()}, link=link))
    except IntegrityError:
        return False
    return True


def for_user(session: Session, principal, unread_only: bool = True, limit: int = 50) -> list[Notification]:
    """The notifications addressed to the roles the user holds, newest first."""
    addressed = [and_(Notification.role == a.role, Notification.organisation_id == a.organisation_id)
                 for a in principal.assignments]
    if not addressed:
        return []
    stmt = select(Notification).where(or_(*addressed))
    if unread_only:
        stmt = stmt.where(~exists().where(NotificationRead.notification_id == Notification.id,
                                          NotificationRead.user_id == principal.id))
    return list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_read(session: Session, principal, notification: Notification) -> None:
    exists_ = session.scalar(select(NotificationRead.id).where(
        NotificationRead.notification_id == notification.id, NotificationRead.user_id == principal.id))
    if exists_ is None:
        session.add(NotificationRead(notification_id=notification.id, user_id=principal.id))
        session.flush()
