"""Databases for the tests: the worker's database, put back before every test (tests/databases.py).

``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/cf_test`` runs the whole
suite against PostgreSQL; tests marked ``postgres`` need it and say so when skipped.
With ``REQUIRE_SERVICES=1`` (set by ``.ci/run``) a skip is a failure, so nothing that
needs a real service can pass unnoticed by skipping.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (registers every table and trigger on Base.metadata)
from ledger.db import make_engine
from tests.databases import SCHEMA, WORLD, PostgresStates, SqliteStates, fill_with_session, server_url  # noqa: F401

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    # The concurrent tests (threads, processes, killed connections) run one after another on
    # one worker (``--dist loadgroup``), so two of them never fight for the same cores, and
    # they start first, so the other worker runs the rest meanwhile instead of waiting.
    concurrent = [item for item in items if "concurrent" in item.keywords]
    for item in concurrent:
        item.add_marker(pytest.mark.xdist_group("concurrent"))
    items[:] = concurrent + [item for item in items if "concurrent" not in item.keywords]
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
    """The test's database: its URL and an engine bound to it."""

    __test__ = False
    url: str
    engine: Engine


#: The tests' clock for the demo world: a date late in a year, so its calendar is full.
WORLD_TODAY = dt.date(2026, 11, 20)


def _load_worlds(evidence: Path):
    def build(session: Session) -> None:
        from app.demo import load_demo

        from config import TestConfig

        for prefix, name in (("", "示范市"), ("X", "外市")):
            load_demo(session, prefix=prefix, city_name=name, evidence_folder=evidence, today=WORLD_TODAY,
                      fast_hash=True, secret=TestConfig.SECRET_KEY)
    return fill_with_session(build)


@pytest.fixture(scope="session")
def _states(tmp_path_factory):
    """The worker's database and its states (tests/databases.py)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if ON_POSTGRES:
        states = PostgresStates(TEST_DATABASE_URL, worker)
        yield states
        states.drop()
        return
    yield SqliteStates(tmp_path_factory.mktemp("database"))


@pytest.fixture(scope="session")
def _world(_states, tmp_path_factory) -> Path:
    """The demo city and a foreign city (codes prefixed X), built once per worker; returns
    the folder of the world's evidence files."""
    evidence = tmp_path_factory.mktemp("world-evidence")
    _states.add(WORLD, _load_worlds(evidence))
    return evidence


@pytest.fixture(scope="session")
def _engine(_states) -> Engine:
    """One engine per worker (its compiled statements are kept from test to test)."""
    engine = make_engine(_states.url)
    yield engine
    engine.dispose()


@pytest.fixture
def database(request, _states, _engine) -> TestDatabase:
    """The worker's database, holding the full schema and no rows, or, for a test that asks
    for ``demo_world``, the demo world; whatever the previous test wrote is gone."""
    state = SCHEMA
    if "demo_world" in request.fixturenames:
        request.getfixturevalue("_world")
        state = WORLD
    _states.restore(state)
    yield TestDatabase(_states.url, _engine)
    _engine.dispose()


@pytest.fixture
def world_evidence(_world) -> Path:
    """The folder holding the demo world's evidence files."""
    return _world


@pytest.fixture
def session(database) -> Session:
    """A plain SQLAlchemy session on the test's database, for the domain cores."""
    with Session(database.engine) as session:
        yield session


@pytest.fixture
def demo_world(session) -> list:
    """The demo city DEMO and a foreign city (codes prefixed X) with the same year of
    activity (app/demo.py), put back before each test from a copy built once per worker.
    Returns the demo city's accounts."""
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


