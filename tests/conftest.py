"""Databases for the tests: a fresh SQLite file per test, or PostgreSQL emptied per test.

``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/cf_test`` runs the whole
suite against PostgreSQL; tests marked ``postgres`` need it and say so when skipped.
With ``REQUIRE_SERVICES=1`` (set by ``.ci/run``) a skip is a failure, so nothing that
needs a real service can pass unnoticed by skipping.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (registers every table and trigger on Base.metadata)
from ledger.base import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/DB"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped although REQUIRE_SERVICES=1: {report.longrepr}"


@dataclass
class TestDatabase:
    """One test's database: its URL and an engine bound to it."""

    __test__ = False
    url: str
    engine: Engine


def _empty_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # immutability triggers off
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def _schema_template(tmp_path_factory):
    """Build the schema once: a template SQLite file, or the PostgreSQL test database."""
    if ON_POSTGRES:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(engine)
        engine.dispose()
        yield TEST_DATABASE_URL
        return
    path = tmp_path_factory.mktemp("schema") / "template.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    yield str(path)


@pytest.fixture
def database(_schema_template, tmp_path) -> TestDatabase:
    """A database with the full schema and no rows, private to this test."""
    if ON_POSTGRES:
        engine = create_engine(TEST_DATABASE_URL)
        _empty_postgres(engine)
        yield TestDatabase(TEST_DATABASE_URL, engine)
        engine.dispose()
        return
    path = tmp_path / "test.sqlite"
    shutil.copyfile(_schema_template, path)
    url = f"sqlite:///{path}"
    from ledger.db import make_engine

    engine = make_engine(url)
    yield TestDatabase(url, engine)
    engine.dispose()


@pytest.fixture
def session(database) -> Session:
    """A plain SQLAlchemy session on the test's database, for the domain cores."""
    with Session(database.engine) as session:
        yield session


def server_url(url: str, database: str) -> str:
    """The same PostgreSQL server as ``url``, another database."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)
