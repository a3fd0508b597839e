"""Stored, versioned process definitions (流程定义版本) and the community settings they read.

A definition is saved as JSON and never changed: a new variant is a new version, and
each project pins the version it started with, so a project half-way through is never
moved onto rules it did not start under.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow
from ledger.organisations import Organisation
from ledger.users import User

from .process import BUILT_IN, EIGHT_STEPS, ProcessDefinition


class StoredDefinition(Base):
    """One version of a process definition, stored as JSON; rows are never updated."""

    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def definition(self) -> ProcessDefinition:
        return _parse(self.name, self.version, _freeze(self.body))


def _freeze(body):
    """A hashable copy of a JSON body, so parsed definitions can be cached per version."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=64)
def _parse(name: str, version: int, frozen: str) -> ProcessDefinition:
    return ProcessDefinition.from_dict(json.loads(frozen), version=version)


def save_definition(session: Session, definition: ProcessDefinition, by: User | None = None) -> StoredDefinition:
    """Validate ``definition`` and store it as the next version of its name (flushes)."""
    definition.validate()
    latest = session.scalar(
        select(func.max(StoredDefinition.version)).where(StoredDefinition.name == definition.name)
    )
    row = StoredDefinition(
        name=definition.name, version=(latest or 0) + 1, body=definition.to_dict(),
        created_by_id=by.id if by else None,
    )
    session.add(row)
    session.flush()
    return row


def current_definition(session: Session, name: str = EIGHT_STEPS.name) -> StoredDefinition:
    """The latest version of ``name``; a built-in process is stored on first use."""
    row = session.scalar(
        select(StoredDefinition).where(StoredDefinition.name == name)
        .order_by(StoredDefinition.version.desc()).limit(1)
    )
    if row is None:
        row = save_definition(session, BUILT_IN[name])
    return row


class CommunitySettings(Base):
    """A community's workflow settings (社区设置): 一肩挑, the process it follows, plan due date."""

    __tablename__ = "community_workflow_settings"
    __table_args__ = (
        CheckConstraint("plan_due_month BETWEEN 1 AND 12", name="plan_due_month_valid"),
        CheckConstraint("plan_due_day BETWEEN 1 AND 31", name="plan_due_day_valid"),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    #: The party secretary is also the committee director (一肩挑): proposal and joint
    #: discussion may be one meeting.
    one_shoulder: Mapped[bool] = mapped_column(default=False)
    process_name: Mapped[str] = mapped_column(String(64), default=EIGHT_STEPS.name)
    #: Next year's plan is due on this day of the year before (end of December).
    plan_due_month: Mapped[int] = mapped_column(default=12)
    plan_due_day: Mapped[int] = mapped_column(default=31)


def settings_of(session: Session, community: Organisation) -> CommunitySettings:
    """The community's settings, created with the defaults when missing."""
    settings = session.get(CommunitySettings, community.id)
    if settings is None:
        settings = CommunitySettings(
            organisation_id=community.id, one_shoulder=False, process_name=EIGHT_STEPS.name,
            plan_due_month=12, plan_due_day=31,
        )
        session.add(settings)
        session.flush()
    return settings
