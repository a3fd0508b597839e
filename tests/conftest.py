"""Databases for the tests: a fresh SQLite file per test, or PostgreSQL emptied per test.

``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/cf_test`` runs the whole
suite against PostgreSQL; tests marked ``postgres`` need it and say so when skipped.
With ``REQUIRE_SERVICES=1`` (set by ``.ci/run``) a skip is a failure, so nothing that
needs a real service can pass unnoticed by skipping.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
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


#: The tests' clock for the demo world: a date late in a year, so its calendar is full.
WORLD_TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def _world_template(_schema_template, tmp_path_factory):
    """The demo city and a foreign city (codes prefixed X), built once per run."""
    from app.demo import load_demo

    evidence = tmp_path_factory.mktemp("world-evidence")
    if ON_POSTGRES:
        name = f"{make_url(TEST_DATABASE_URL).database}_world"
        admin = create_engine(server_url(TEST_DATABASE_URL, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server_url(TEST_DATABASE_URL, name)
    else:
        path = tmp_path_factory.mktemp("world") / "world.sqlite"
        shutil.copyfile(_schema_template, path)
        url = f"sqlite:///{path}"
    from ledger.db import make_engine

    engine = make_engine(url)
    if ON_POSTGRES:
        Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_demo(session, evidence_folder=evidence, today=WORLD_TODAY, fast_hash=True)
        load_demo(session, prefix="X", city_name="外市", evidence_folder=evidence, today=WORLD_TODAY, fast_hash=True)
        session.commit()
    engine.dispose()
    yield url, evidence
    if ON_POSTGRES:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(request, _schema_template, tmp_path) -> TestDatabase:
    """A database private to this test: the full schema and no rows, or, for a test that
    asks for ``demo_world``, the demo world."""
    world = request.getfixturevalue("_world_template") if "demo_world" in request.fixturenames else None
    if ON_POSTGRES and world:
        name = f"{make_url(TEST_DATABASE_URL).database}_t{uuid.uuid4().hex[:10]}"
        admin = create_engine(server_url(TEST_DATABASE_URL, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(world[0]).database}"'))
        url = server_url(TEST_DATABASE_URL, name)
        engine = create_engine(url)
        yield TestDatabase(url, engine)
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    if ON_POSTGRES:
        engine = create_engine(TEST_DATABASE_URL)
        _empty_postgres(engine)
        yield TestDatabase(TEST_DATABASE_URL, engine)
        engine.dispose()
        return
    path = tmp_path / "test.sqlite"
    shutil.copyfile(make_url(world[0]).database if world else _schema_template, path)
    url = f"sqlite:///{path}"
    from ledger.db import make_engine

    engine = make_engine(url)
    yield TestDatabase(url, engine)
    engine.dispose()


@pytest.fixture
def world_evidence(request) -> Path:
    """The folder holding the demo world's evidence files."""
    return request.getfixturevalue("_world_template")[1]


@pytest.fixture
def session(database) -> Session:
    """A plain SQLAlchemy session on the test's database, for the domain cores."""
    with Session(database.engine) as session:
        yield session


def server_url(url: str, database: str) -> str:
    """The same PostgreSQL server as ``url``, another database."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture
def demo_world(session) -> list:
    """The demo city DEMO and a foreign city (codes prefixed X) with the same year of
    activity (app/demo.py), copied from a template built once per run. Returns the demo
    city's accounts."""
    from app.auth.models import RoleAssignment
    from app.demo import DemoAccount
    from ledger.organisations import Organisation
    from ledger.users import User

    rows = session.execute(
        select(User.username, RoleAssignment.role, Organisation.name, Organisation.code)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
        .where(Organisation.path.startswith("/DEMO/")).order_by(Organisation.path, User.username)
    ).all()
    return [DemoAccount(u, r, f"{n} ({c})") for u, r, n, c in rows]


