"""Engines for the cores outside Flask, and the SQLite settings every engine needs."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys and wait for a writer instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def make_engine(url: str, **options) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL) with the project's settings."""
    return create_engine(url, **options)
