"""Fixtures for the web application: an app on the test's database, the demo city, logins."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.auth.models import RoleAssignment
from app.demo import DEMO_PASSWORD, DemoAccount
from app.extensions import db as flask_db
from config import TestConfig
from ledger.organisations import Organisation
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


@pytest.fixture
def app(request, database, tmp_path):
    evidence = tmp_path / "instance" / "evidence"
    if "demo_world" in request.fixturenames:  # the demo world's files, where the app looks for them
        shutil.copytree(request.getfixturevalue("world_evidence"), evidence)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database.url
        INSTANCE_PATH = str(tmp_path / "instance")
        EVIDENCE_FOLDER = str(evidence)
        CELERY = {**TestConfig.CELERY, "broker_url": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"}

    # No application context stays pushed: each request gets its own, as in production
    # (a shared one would carry Flask-Login's user from one client to the next).
    # Tests look at the database from outside, through the plain ``session`` fixture.
    app = create_app(Config)
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
