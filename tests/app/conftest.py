"""Fixtures for the web application: an app on the test's database, the demo city, logins."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db as flask_db
from app.auth.operations import create_user
from config import TestConfig
from ledger.organisations import by_code, import_tree_csv
from ledger.users import User

FOREIGN_TREE = """code,name,level,parent_code
OTHER,外市,city,
OD1,外市一区,district,OTHER
OS1,外市一街道,street,OD1
OQ1,外市一社区,community,OS1
"""


@pytest.fixture
def app(database, tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database.url
        INSTANCE_PATH = str(tmp_path / "instance")
        CELERY = {**TestConfig.CELERY, "broker_url": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"}

    # No application context stays pushed: each request gets its own, as in production
    # (a shared one would carry Flask-Login's user from one client to the next).
    # Tests look at the database from outside, through the plain ``session`` fixture.
    app = create_app(Config)
    yield app
    with app.app_context():
        flask_db.engine.dispose()


@pytest.fixture
def demo(app, session):
    """The demo city plus a foreign city with its own admin and secretary."""
    accounts = load_demo(session, fast_hash=True)
    import_tree_csv(session, FOREIGN_TREE)
    create_user(session, "other-admin", "外市管理员", DEMO_PASSWORD, role="admin",
                org=by_code(session, "OTHER"), fast_hash=True)
    create_user(session, "other-secretary", "外市书记", DEMO_PASSWORD, role="community_staff",
                org=by_code(session, "OQ1"), fast_hash=True)
    session.commit()
    return accounts


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token of the client's session, read from any page's meta tag."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def login(client, username: str, password: str = DEMO_PASSWORD, remote_addr: str = "127.0.0.1"):
    return client.post("/login", data={
        "csrf_token": csrf_token(client, "/login"), "username": username, "password": password,
    }, environ_base={"REMOTE_ADDR": remote_addr})


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
