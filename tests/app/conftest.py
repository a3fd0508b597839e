"""Fixtures for the web application: an app on the test's database, the demo city, logins."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.demo import DEMO_PASSWORD
from app.extensions import db as flask_db
from config import TestConfig
from ledger.users import User


@pytest.fixture
def session(database):
    """The database seen from outside, as a user's next page would see it.

    On SQLite a transaction keeps the snapshot it first read, so this session runs each
    statement on its own (``sqlite_statement_autocommit``) and always sees what the last
    request committed; PostgreSQL's READ COMMITTED does that already.
    """
    with Session(database.engine.execution_options(sqlite_statement_autocommit=True)) as session:
        yield session


class _Bytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole run: each test's new app skips compiling them."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _Bytecode()


def make_app(database_url: str, instance: Path, evidence: Path):
    """The application on ``database_url``, its files in ``instance``."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_PATH = str(instance)
        EVIDENCE_FOLDER = str(evidence)
        CELERY = {**TestConfig.CELERY, "broker_url": f"sqla+sqlite:///{instance / 'broker.sqlite'}"}

    app = create_app(Config)
    app.jinja_env.bytecode_cache = _BYTECODE
    return app


def evidence_folder(request, tmp_path: Path) -> Path:
    """The test's evidence folder: the demo world's files, where the app looks for them."""
    evidence = tmp_path / "instance" / "evidence"
    if "demo_world" in request.fixturenames:
        shutil.copytree(request.getfixturevalue("world_evidence"), evidence)
    return evidence


@pytest.fixture
def app(request, database, tmp_path):
    # No application context stays pushed: each request gets its own, as in production
    # (a shared one would carry Flask-Login's user from one client to the next).
    # Tests look at the database from outside, through the plain ``session`` fixture.
    app = make_app(database.url, tmp_path / "instance", evidence_folder(request, tmp_path))
    yield app
    with app.app_context():
        flask_db.engine.dispose()


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token of the client's session, read from any page's meta tag."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def login(client, username: str, password: str = DEMO_PASSWORD, remote_addr: str = "127.0.0.1"):
    return client.post("/login", data={
        "csrf_token": csrf_token(client, "/login"), "username": username, "password": password,
    }, environ_base={"REMOTE_ADDR": remote_addr})


@pytest.fixture
def world(demo_world):
    """The demo world (tests/conftest.py ``demo_world``): cities DEMO and X…, a year of activity."""
    return demo_world


@pytest.fixture
def login_as(app):
    """``login_as("admin")`` returns a test client logged in as that demo user."""

    logins = iter(range(1, 100_000))

    def make(username: str):
        # Each login from its own address, so the per-address rate limit stays out of the way.
        client = app.test_client()
        n = next(logins)
        response = login(client, username, remote_addr=f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        assert response.status_code == 302, f"login as {username} failed"
        return client

    return make


def user_id(session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))
