"""One database per test worker, put back into a known state before every test.

A test used to get a database of its own: a copied SQLite file, a PostgreSQL database
emptied with ``TRUNCATE`` of every table, or a new database made from a template for the
demo world. On PostgreSQL that cost most of the suite's time. Now each worker (pytest-xdist
runs one per core) keeps one database at a fixed URL, and before each test it is put back
into the state the test asks for:

- ``schema``: every table, no rows;
- ``world``: the demo city and a foreign city (``app.demo``), built once per worker.

The tests write through real connections and real commits (several engines, threads,
subprocesses, triggers switched off), so the state is restored after the fact rather than
rolled back:

- SQLite copies the state's template file into the live file with SQLite's online backup
  API: every page, the schema and ``sqlite_sequence`` included, while the file stays open.
- PostgreSQL compares each table's fingerprint (row count and newest ``xmin``: any insert,
  update or delete changes one of the two, whichever way it was written) with the state's,
  and refills only the tables that differ from a copy of the state kept in another schema,
  with the triggers off (``session_replication_role = replica``). Every sequence is set back
  too, so ids are the same in every test.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from ledger.base import Base
from ledger.db import make_engine

SCHEMA, WORLD = "schema", "world"


def server_url(url: str, database: str) -> str:
    """The same PostgreSQL server as ``url``, another database."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@functools.cache
def _tables() -> tuple[str, ...]:
    """Every table's name (the metadata is complete once app.models is imported)."""
    return tuple(table.name for table in Base.metadata.sorted_tables)


class SqliteStates:
    """The worker's SQLite file and a template file per state."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.live = folder / "live.sqlite"
        self.url = f"sqlite:///{self.live}"
        self.templates: dict[str, Path] = {}
        self._build(SCHEMA, lambda engine: None)

    def _build(self, state: str, fill: Callable[[Engine], None]) -> None:
        path = self.folder / f"{state}.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        fill(engine)
        engine.dispose()
        self.templates[state] = path

    def add(self, state: str, fill: Callable[[Engine], None]) -> None:
        """Build the template of ``state``: the schema, then what ``fill`` writes."""
        self._build(state, fill)

    def restore(self, state: str) -> None:
        source = sqlite3.connect(self.templates[state])
        target = sqlite3.connect(self.live, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


@dataclass
class _Snapshot:
    """A state of the PostgreSQL database: where its rows are kept, and how it looks."""

    copy_schema: str | None  # None: no rows
    fingerprints: dict[str, tuple] = field(default_factory=dict)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)


class PostgresStates:
    """The worker's PostgreSQL database, a copy of each state's rows in a schema of its own."""

    def __init__(self, base_url: str, worker: str):
        name = f"{make_url(base_url).database}_{worker}"
        self.admin = create_engine(server_url(base_url, "postgres"), isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.name = name
        self.url = server_url(base_url, name)
        self.engine = create_engine(self.url, pool_size=1)
        Base.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            self.sequence_names = list(conn.scalars(text(
                "SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' "
                "AND c.relnamespace = 'public'::regnamespace ORDER BY 1"
            )))
        self.states = {SCHEMA: _Snapshot(None)}
        self.states[SCHEMA].sequences = {name: (1, False) for name in self.sequence_names}
        self.states[SCHEMA].fingerprints = self._fingerprints(_tables())

    def _fingerprints(self, tables) -> dict[str, tuple]:
        if not tables:
            return {}
        query = " UNION ALL ".join(
            f"SELECT '{t}', count(*), max(xmin::text::bigint) FROM \"{t}\"" for t in tables
        )
        with self.engine.connect() as conn:
            return {name: (count, newest) for name, count, newest in conn.execute(text(query))}

    def add(self, state: str, fill: Callable[[Engine], None]) -> None:
        """Fill the empty database with ``fill`` and keep a copy of its rows as ``state``."""
        self.restore(SCHEMA)
        fill(self.engine)
        copy = f"test_{state}"
        with self.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{copy}" CASCADE; CREATE SCHEMA "{copy}"'))
            for table in _tables():
                conn.execute(text(f'CREATE TABLE "{copy}"."{table}" AS TABLE "{table}"'))
            sequences = {
                name: tuple(conn.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())
                for name in self.sequence_names
            }
        snapshot = _Snapshot(copy, sequences=sequences)
        snapshot.fingerprints = self._fingerprints(_tables())
        self.states[state] = snapshot

    def restore(self, state: str) -> None:
        target = self.states[state]
        now = self._fingerprints(_tables())
        changed = [t for t in _tables() if now[t] != target.fingerprints.get(t)]
        statements = ["SET LOCAL session_replication_role = replica", "SET LOCAL lock_timeout = '20s'"]
        for table in changed:
            statements.append(f'DELETE FROM "{table}"')
            if target.copy_schema:
                statements.append(
                    f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE '
                    f'SELECT * FROM "{target.copy_schema}"."{table}"'
                )
        if target.sequences:
            statements.append("SELECT " + ", ".join(
                f"setval('\"{name}\"', {value}, {'true' if called else 'false'})"
                for name, (value, called) in target.sequences.items()
            ))
        with self.engine.begin() as conn:
            conn.exec_driver_sql("; ".join(statements))
        # The refilled rows carry this transaction's xmin: that is how the state looks now.
        for other in self.states.values():
            if other is not target:
                for table in changed:
                    other.fingerprints.pop(table, None)
        target.fingerprints.update(self._fingerprints(changed))

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def fill_with_session(build: Callable[[Session], None]) -> Callable[[Engine], None]:
    """A ``fill`` that runs ``build`` in one committed session."""
    def fill(engine: Engine) -> None:
        with Session(engine) as session:
            build(session)
            session.commit()
    return fill
