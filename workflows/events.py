"""The project's history (项目流转记录): one append-only row per transition.

Rows are only ever inserted. The database refuses UPDATE and DELETE by trigger on both
SQLite and PostgreSQL (the stored process definitions are frozen the same way), so a
history cannot be rewritten even by hand. ``create_all`` installs the DDL through
``after_create`` events; a migration calls ``install_triggers`` / ``drop_triggers``
with the very same statements.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, DDL, ForeignKey, String, Text, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow

from .definitions import StoredDefinition


class ProjectEvent(Base):
    """One transition of one project: who, in which role, when, from where to where, why."""

    __tablename__ = "project_events"
    __table_args__ = (
        CheckConstraint("actor_id IS NOT NULL OR role = 'system'", name="actor_or_system"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: What the event decided, e.g. the approved amount, as text.
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def history(session: Session, project) -> list[ProjectEvent]:
    """The project's transitions, oldest first."""
    return list(session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id)
    ))


#: Tables whose rows are written once and never changed.
APPEND_ONLY = ("project_events", "process_definitions")


def _sqlite(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER workflows_{table}_no_{verb.lower()} BEFORE {verb} ON {table}
BEGIN SELECT RAISE(ABORT, 'workflows: {table} rows are append-only'); END"""
        for verb in ("UPDATE", "DELETE")
    ]


def _postgresql(table: str) -> list[str]:
    # restrict_violation: drivers report it as an IntegrityError, like SQLite's ABORT.
    return [
        f"""CREATE OR REPLACE FUNCTION workflows_{table}_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'workflows: {table} rows are append-only', ERRCODE = 'restrict_violation';
END
$$""",
        f"""CREATE TRIGGER workflows_{table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION workflows_{table}_append_only()""",
    ]


TRIGGERS = {"sqlite": _sqlite, "postgresql": _postgresql}

DROP = {
    "sqlite": lambda t: [f"DROP TRIGGER IF EXISTS workflows_{t}_no_{verb}" for verb in ("update", "delete")],
    "postgresql": lambda t: [
        f"DROP TRIGGER IF EXISTS workflows_{t}_append_only ON {t}",
        f"DROP FUNCTION IF EXISTS workflows_{t}_append_only()",
    ],
}


def statements(dialect: str) -> list[str]:
    """Every statement that makes the append-only tables so on ``dialect``."""
    return [s for table in APPEND_ONLY for s in TRIGGERS[dialect](table)]


def install_triggers(connection: Connection) -> None:
    """Install the append-only triggers on an existing schema (for a migration)."""
    for statement in statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


def drop_triggers(connection: Connection) -> None:
    """Remove them (a migration's downgrade)."""
    for table in APPEND_ONLY:
        for statement in DROP[connection.dialect.name](table):
            connection.exec_driver_sql(statement)


def _attach() -> None:
    tables = {"project_events": ProjectEvent.__table__, "process_definitions": StoredDefinition.__table__}
    for dialect, make in TRIGGERS.items():
        for name, table in tables.items():
            for statement in make(name):
                event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))


_attach()
