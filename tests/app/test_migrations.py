"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from ledger.base import Base
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, server_url

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    name = f"cf_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url(TEST_DATABASE_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url(TEST_DATABASE_URL, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _alembic(connection) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["skip_logging"] = True
    return config


def _diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    if connection.dialect.name != "sqlite":
        return compare_metadata(context, Base.metadata)
    with warnings.catch_warnings():  # SQLite's indexes on an expression are not compared (the test lists them)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        return compare_metadata(context, Base.metadata)


def _indexes(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname FROM pg_indexes"
    return set(connection.execute(text(sql)).scalars())


def _triggers(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return set(connection.execute(text(sql)).scalars())


def test_migrations_match_the_models_and_downgrade_cleanly(empty_database_url, database):
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(_alembic(connection), "head")
    with engine.connect() as connection:
        assert _diff(connection) == [], "run `flask db revision --autogenerate` and review it"
        tables = set(inspect(connection).get_table_names())
        migrated_triggers = _triggers(connection)
        assert "uq_users_username_folded" in _indexes(connection)
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    with database.engine.connect() as connection:  # built by create_all
        assert migrated_triggers == _triggers(connection) != set()
    with engine.begin() as connection:
        command.downgrade(_alembic(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()
