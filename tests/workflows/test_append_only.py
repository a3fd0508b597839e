"""The project's history cannot be rewritten: the database refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from workflows import events
from workflows.events import history


def _history_and_definition(flow, session):
    project = flow.walk(flow.project(), "deliberation")
    session.commit()
    return project


@pytest.mark.parametrize("statement", [
    "UPDATE project_events SET to_state = 'closed'",
    "UPDATE project_events SET actor_id = NULL, role = 'system'",
    "DELETE FROM project_events",
    "UPDATE process_definitions SET version = 99",
    "DELETE FROM process_definitions",
])
def test_raw_sql_cannot_change_history(flow, database, statement):
    project = _history_and_definition(flow, flow.session)
    before = [(e.id, e.event, e.to_state) for e in history(flow.session, project)]
    with database.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
        connection.rollback()
    flow.session.expire_all()
    assert [(e.id, e.event, e.to_state) for e in history(flow.session, project)] == before


def test_inserting_stays_possible(flow):
    project = _history_and_definition(flow, flow.session)
    flow.deliberate(project)
    flow.fire(project, "publish_resolution")
    flow.session.commit()
    assert len(history(flow.session, project)) == 3


def test_the_ddl_is_exposed_for_migrations(database):
    for dialect in ("sqlite", "postgresql"):
        statements = events.statements(dialect)
        assert any("project_events" in s for s in statements)
        assert any("process_definitions" in s for s in statements)


@pytest.mark.postgres
def test_triggers_are_installed_on_postgresql(database):
    with database.engine.connect() as connection:
        names = set(connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'workflows_%'"
        )).scalars())
    assert names == {"workflows_project_events_append_only", "workflows_process_definitions_append_only"}


def test_drop_and_install_round_trip(database):
    with database.engine.begin() as connection:
        events.drop_triggers(connection)
        events.install_triggers(connection)
