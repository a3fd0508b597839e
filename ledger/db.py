"""Engines for the cores outside Flask, and the SQLite settings every engine needs."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Make every SQLite connection enforce foreign keys and wait for a writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def _leave_transactions_to_sqlalchemy(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


def _begin(connection) -> None:
    # ``sqlite_statement_autocommit`` is for an observer that only wants to see the latest
    # committed rows (the web tests look at the database from outside): no snapshot is held.
    if not connection.get_execution_options().get("sqlite_statement_autocommit"):
        connection.exec_driver_sql("BEGIN")


def use_real_transactions(engine: Engine) -> Engine:
    """Give a SQLite engine real transactions, as the cores need (no-op elsewhere).

    pysqlite opens a transaction only before a DML statement, so a SAVEPOINT issued
    first (as the cores' all-or-nothing steps do) would become the outer transaction and
    its RELEASE would commit at once. With the driver's own handling switched off, BEGIN
    is emitted when SQLAlchemy starts a transaction and savepoints nest inside it, as on
    PostgreSQL (SQLAlchemy's pysqlite recipe). Applied per engine, so that other users of
    SQLite in the process (the embedded Celery broker) keep the driver's behaviour.
    """
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _leave_transactions_to_sqlalchemy)
        event.listen(engine, "begin", _begin)
    return engine


def make_engine(url: str, **options) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL) with the project's settings."""
    return use_real_transactions(create_engine(url, **options))
