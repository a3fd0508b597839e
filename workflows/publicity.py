"""Public notices (公示) and residents' objections (异议).

A notice runs from ``starts_at`` to ``ends_at``, never shorter than the process's
minimum; while it runs residents may object, and the project cannot move on while an
objection is unanswered. The public board shows a community's current notices.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.organisations import Organisation
from ledger.users import User

from .errors import N_, RoleRefused, RuleFailed, WorkflowError
from .once import KEY_MAX, create_once

CONTACT_MAX = 100


class PublicNotice(Base):
    """A notice on the public board (公示): a project's resolution or its results."""

    __tablename__ = "public_notices"
    __table_args__ = (
        CheckConstraint("kind IN ('resolution', 'results')", name="kind_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("min_days >= 1", name="min_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    min_days: Mapped[int]
    closed_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    objections: Mapped[list[Objection]] = relationship(
        back_populates="notice", order_by="Objection.id", cascade="all, delete-orphan"
    )

    def is_open(self, at: dt.datetime) -> bool:
        return self.closed_at is None and self.starts_at <= at < self.ends_at


class Objection(Base):
    """A resident's objection to a notice (异议) and the community's answer."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
        CheckConstraint(
            "(answered_at IS NULL) = (answered_by_id IS NULL) AND (answered_at IS NULL) = (answer IS NULL)",
            name="answer_complete",
        ),
        UniqueConstraint("notice_id", "submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("public_notices.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(CONTACT_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The submission that made it (``workflows/once.py``): the same form sent again finds it.
    submission_key: Mapped[str | None] = mapped_column(String(KEY_MAX))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None]

    notice: Mapped[PublicNotice] = relationship(back_populates="objections")


def open_notice(
    session: Session, project, kind: str, *, days: int, by: User | None, starts_at: dt.datetime | None = None,
    body: str = "",
) -> PublicNotice:
    """Publish a notice about ``project`` for ``days`` days (发布公示), at least the process minimum."""
    minimum = project.definition.publicity_days
    if days < minimum:
        raise RuleFailed(
            N_("A notice must run at least %(minimum)d days, not %(days)d."), field="days", minimum=minimum, days=days
        )
    starts_at = starts_at or utcnow()
    title = ("决议公开：" if kind == "resolution" else "实施结果公开：") + project.title
    notice = PublicNotice(
        project_id=project.id, community_id=project.community_id, kind=kind, title=title, body=body,
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(days=days), min_days=minimum,
        published_by_id=by.id if by else None,
    )
    session.add(notice)
    session.flush()
    return notice


def object_to(
    session: Session, notice: PublicNotice, text: str, contact: str | None = None, at: dt.datetime | None = None,
    key: str | None = None,
) -> Objection:
    """A resident objects to a running notice (提出异议); contact is optional. ``key`` names the
    submission: sent again, it gives back the objection it made (``workflows/once.py``)."""
    at = at or utcnow()
    if not notice.is_open(at):
        raise WorkflowError(N_("This notice is not open for objections."), field="notice")
    if not (text or "").strip():
        raise WorkflowError(N_("Write the objection."), field="text")
    contact = (contact or "").strip() or None
    if contact and len(contact) > CONTACT_MAX:
        raise WorkflowError(N_("Contact is longer than %(max)d characters."), field="contact", max=CONTACT_MAX)
    objection = create_once(session, Objection, key, {"notice_id": notice.id}, lambda: Objection(
        notice_id=notice.id, text=text.strip(), contact=contact, created_at=at))
    session.expire(notice, ["objections"])  # read again with the new one
    return objection


def answer_objection(session: Session, objection: Objection, answer: str, by: User, role: str) -> Objection:
    """Record the answer to an objection (答复异议): who, when, what."""
    if role not in ("community_staff", "street_committee"):
        raise RoleRefused(N_("Role %(role)s may not answer objections."), field="role", role=role)
    if objection.answered_at is not None:
        raise WorkflowError(N_("This objection is already answered."), field="objection")
    if not (answer or "").strip():
        raise WorkflowError(N_("Write the answer."), field="answer")
    objection.answer, objection.answered_by_id, objection.answered_at = answer.strip(), by.id, utcnow()
    session.flush()
    return objection


def unanswered(session: Session, project) -> int:
    """How many objections to the project's notices still wait for an answer."""
    return session.scalar(
        select(func.count(Objection.id)).join(PublicNotice)
        .where(PublicNotice.project_id == project.id, Objection.answered_at.is_(None))
    )


def latest_notice(session: Session, project, kind: str, since: dt.datetime | None = None) -> PublicNotice | None:
    """The project's most recent notice of ``kind`` published since ``since``."""
    query = select(PublicNotice).where(PublicNotice.project_id == project.id, PublicNotice.kind == kind)
    if since is not None:
        query = query.where(PublicNotice.created_at >= since)
    return session.scalars(query.order_by(PublicNotice.id.desc()).limit(1)).first()


def current_notices(session: Session, community: Organisation, at: dt.datetime | None = None) -> list[PublicNotice]:
    """What the community's public board shows now (当前公示), soonest ending first."""
    at = at or utcnow()
    return list(session.scalars(
        select(PublicNotice).where(
            PublicNotice.community_id == community.id, PublicNotice.closed_at.is_(None),
            PublicNotice.starts_at <= at, PublicNotice.ends_at > at,
        ).order_by(PublicNotice.ends_at, PublicNotice.id)
    ))
