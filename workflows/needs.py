"""The needs pool (居民需求池): what residents asked for, from every channel, per community.

A need is kept with its channel, date and category; duplicates are merged into one need
(the duplicate stays, pointing at the need it was merged into) and needs are linked to
the projects that answer them, which is how an evaluator sees that residents chose.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.organisations import Organisation
from ledger.users import User

from .errors import N_, WorkflowError, check_not_future
from .once import KEY_MAX, create_once

#: Channels (来源): 12345 hotline, door-to-door visit, suggestion box, WeChat group, meeting, online.
CHANNELS = {
    "hotline_12345": "12345热线", "visit": "入户走访", "suggestion_box": "意见箱",
    "wechat": "微信群", "meeting": "会议", "online": "居民网上提交",
}
OPEN, LINKED, MERGED, CLOSED = "open", "linked", "merged", "closed"
STATUSES = (OPEN, LINKED, MERGED, CLOSED)

project_needs = Table(
    "project_needs", Base.metadata,
    Column("project_id", ForeignKey("projects.id"), primary_key=True),
    Column("need_id", ForeignKey("needs.id"), primary_key=True),
)


class Need(Base):
    """One resident need (居民需求) in a community's pool."""

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("channel IN (" + ", ".join(f"'{c}'" for c in CHANNELS) + ")", name="channel_known"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_known"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
        UniqueConstraint("community_id", "submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    received_on: Mapped[dt.date]
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))
    #: How many residents raised it (a merge adds the duplicates' counts).
    supporters: Mapped[int] = mapped_column(default=1)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The submission that made it (``workflows/once.py``): the same form sent again finds it.
    submission_key: Mapped[str | None] = mapped_column(String(KEY_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    merged_into: Mapped[Need | None] = relationship(remote_side=[id])
    projects = relationship("Project", secondary=project_needs, backref="needs")


def add_need(
    session: Session, community: Organisation, *, channel: str, received_on: dt.date, category: str,
    description: str, by: User | None = None, key: str | None = None,
) -> Need:
    """Put a need into the community's pool (登记居民需求); ``by`` is None when a resident submits it.
    ``key`` names the submission: sent again, it gives back the need it made (``workflows/once.py``)."""
    if community.level != "community":
        raise WorkflowError(
            N_("Needs belong to a community, not a %(level)s."), field="community", level=community.level
        )
    if channel not in CHANNELS:
        raise WorkflowError(
            N_("Channel %(channel)s is unknown; allowed: %(allowed)s."),
            field="channel", channel=channel, allowed=", ".join(CHANNELS),
        )
    if not (description or "").strip():
        raise WorkflowError(N_("Describe the need."), field="description")
    check_not_future(received_on, "received_on")
    return create_once(session, Need, key, {"community_id": community.id}, lambda: Need(
        community_id=community.id, channel=channel, received_on=received_on, category=(category or "").strip(),
        description=description.strip(), status=OPEN, supporters=1, recorded_by_id=by.id if by else None,
    ))


def merge_needs(session: Session, keep: Need, duplicates: list[Need]) -> Need:
    """Merge duplicate needs into ``keep`` (合并重复需求): their supporters and projects move over."""
    for duplicate in duplicates:
        if duplicate.id == keep.id or duplicate.community_id != keep.community_id:
            raise WorkflowError(
                N_("Need %(need)d cannot be merged into need %(keep)d."), field="duplicates",
                need=duplicate.id, keep=keep.id,
            )
        if duplicate.status == MERGED or keep.status == MERGED:
            raise WorkflowError(N_("Need %(need)d is already merged."), field="duplicates", need=duplicate.id)
        keep.supporters += duplicate.supporters
        for project in list(duplicate.projects):
            if project not in keep.projects:
                keep.projects.append(project)
        duplicate.status, duplicate.merged_into = MERGED, keep
    if keep.projects and keep.status == OPEN:
        keep.status = LINKED
    session.flush()
    return keep


def link_need(session: Session, project, need: Need) -> None:
    """Record that ``project`` answers ``need`` (需求关联项目)."""
    if need.community_id != project.community_id:
        raise WorkflowError(N_("Need %(need)d belongs to another community."), field="needs", need=need.id)
    if need.status == MERGED:
        need = need.merged_into
    if project not in need.projects:
        need.projects.append(project)
    if need.status == OPEN:
        need.status = LINKED
    session.flush()


def needs_pool(session: Session, community: Organisation, status: str | None = None) -> list[Need]:
    """The community's needs, newest first, optionally of one status."""
    query = select(Need).where(Need.community_id == community.id)
    if status is not None:
        query = query.where(Need.status == status)
    return list(session.scalars(query.order_by(Need.received_on.desc(), Need.id.desc())))
