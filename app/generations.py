"""Which organisations a commit changed, and the generation tokens cached pages are keyed by.

A cached page (app/cache.py) is stored under the generation tokens of the organisation it
shows and of everything (``*``). Every session of the process, the application's or a
plain SQLAlchemy one, reports what it flushed: an ``after_flush`` listener finds the
organisation each new, changed or deleted row belongs to (directly, or through the rows
it refers to: a voucher line through its voucher and book, an objection through its
notice), and when the outermost transaction commits the tokens of those organisations and
of their ancestors are replaced by new random ones. A page cached under the old tokens is
never read again. Rollbacks drop what was collected.

Erring on the side of forgetting: a row whose organisation cannot be found, a row of a
street, district or city (a purpose list, a chart, a district's template change what the
pages below them show), an organisation itself, or a bulk ``UPDATE``/``DELETE``/``INSERT``
renews the token of everything. Only the tables listed in ``UNSHOWN`` (users, logins,
audit, jobs…) never renew anything: no cached page shows them.

Tokens are fresh random values rather than counters, so two processes renewing at once
can never bring back a token a page was already cached under. A page is computed after
its tokens were read (app/cache.py reads them before the request touches the database),
so whatever it shows was committed before the token it is stored under existed.
"""

from __future__ import annotations

import logging
import secrets
import weakref
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, attributes
from sqlalchemy.sql.elements import TextClause

from ledger.base import Base
from ledger.organisations import Organisation

log = logging.getLogger(__name__)

#: Rows no cached page shows: changing them leaves every page as it was. (Who may see
#: what is part of a page's key, not of its generation: app/cache.py ``viewer``.)
UNSHOWN = frozenset({
    "users", "login_sessions", "role_assignments", "api_tokens", "api_request_keys", "audit_events",
    "jobs", "notifications", "notification_reads", "worker_heartbeats", "public_need_contacts",
})
#: The generation of everything: renewed when a change cannot be narrowed to communities.
EVERYTHING = "*"
#: How many references are followed to find a row's organisation (line → voucher → book).
MAX_DEPTH = 4
PENDING = "cache_generations_pending"


class Generations:
    """The generation tokens of one database, kept in a cache backend shared by processes."""

    def __init__(self, backend, namespace: str, timeout: int):
        # Tokens expire like pages (no code asked for in a URL is kept for ever); one that
        # expired is replaced by a new random one, so the pages under it are never read again.
        self.backend, self.namespace, self.timeout = backend, namespace, timeout

    def key(self, code: str) -> str:
        return f"{self.namespace}:generation:{code}"

    def tokens(self, codes: list[str]) -> list[str] | None:
        """The current tokens of ``codes`` (a new one for a code that has none); ``None``
        when the backend keeps nothing (caching off)."""
        keys = [self.key(code) for code in codes]
        found = self.backend.get_many(*keys)
        if all(found):
            return list(found)
        for key, token in zip(keys, found):
            if not token:
                self.backend.add(key, secrets.token_hex(8), timeout=self.timeout)
        found = self.backend.get_many(*keys)
        return list(found) if all(found) else None

    def renew(self, codes: set[str]) -> None:
        self.backend.set_many({self.key(code): secrets.token_hex(8) for code in codes}, timeout=self.timeout)


#: The generations kept for each database (by its URL), one per application in the process.
_registry: dict[str, weakref.WeakSet] = {}


def database_key(url) -> str:
    return url.render_as_string(hide_password=True)


def register(engine, generations: Generations) -> None:
    """Renew ``generations`` whenever any session of this process commits to ``engine``'s database."""
    _registry.setdefault(database_key(engine.url), weakref.WeakSet()).add(generations)


@dataclass
class Pending:
    """What the session's transaction changed so far."""

    database: str
    codes: set[str] = field(default_factory=set)
    organisations: dict[int, tuple[str, str] | None] = field(default_factory=dict)  # id → (path, level)


def _pending(session: Session) -> Pending | None:
    """The session's collection, or ``None`` when no application caches this database."""
    if not _registry:
        return None
    pending = session.info.get(PENDING)
    if pending is None:
        database = database_key(session.connection().engine.url)
        if not _registry.get(database):
            return None
        pending = session.info[PENDING] = Pending(database)
    return pending


# -- finding a row's organisations ------------------------------------------------------------

def _mappers_by_table() -> dict:
    return {mapper.local_table: mapper for mapper in Base.registry.mappers}


class _Finder:
    """Finds the organisations rows belong to, preferring what the session already holds."""

    def __init__(self, session: Session, pending: Pending):
        self.session, self.pending = session, pending
        self.connection = session.connection()
        self.mappers = _mappers_by_table()
        self.rows: dict[tuple, set[int] | None] = {}

    def of_instance(self, obj, depth: int = 0) -> set[int] | None:
        state = inspect(obj)
        values = {}
        for column in state.mapper.local_table.columns:
            if not column.foreign_keys:
                continue
            prop = state.mapper.get_property_by_column(column)
            history = attributes.get_history(obj, prop.key, passive=attributes.PASSIVE_NO_INITIALIZE)
            known = [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]
            if known:
                values[column] = known
            elif prop.key not in state.dict and state.key is not None:
                return self.of_row(state.mapper.local_table, state.key[1], depth)  # not loaded: ask the row
        return self._follow(values, depth)

    def of_row(self, table, primary_key: tuple, depth: int) -> set[int] | None:
        """The organisations of the row of ``table`` with ``primary_key``."""
        if depth > MAX_DEPTH:
            return None
        memo = (table.name, primary_key)
        if memo in self.rows:
            return self.rows[memo]
        self.rows[memo] = None  # a reference cycle ends here
        mapper = self.mappers.get(table)
        found = None
        if mapper is not None:
            obj = self.session.identity_map.get(mapper.identity_key_from_primary_key(list(primary_key)))
            if obj is not None:
                found = self.of_instance(obj, depth + 1)
        if found is None:
            columns = [c for c in table.columns if c.foreign_keys]
            if columns and len(table.primary_key.columns) == len(primary_key):
                condition = [c == v for c, v in zip(table.primary_key.columns, primary_key)]
                row = self.connection.execute(select(*columns).where(*condition)).first()
                if row is not None:
                    found = self._follow({c: [v] for c, v in zip(columns, row) if v is not None}, depth + 1)
        self.rows[memo] = found
        return found

    def _follow(self, values: dict, depth: int) -> set[int] | None:
        """Organisations named directly win; otherwise those of the rows referred to."""
        direct = {v for column, vs in values.items() for v in vs
                  if any(fk.column.table.name == "organisations" for fk in column.foreign_keys)}
        if direct:
            return direct
        found: set[int] = set()
        for column, vs in values.items():
            for fk in column.foreign_keys:
                target = fk.column.table
                if target.name in UNSHOWN or len(target.primary_key.columns) != 1:
                    continue
                for value in vs:
                    owners = self.of_row(target, (value,), depth)
                    if owners:
                        found |= owners
        return found or None

    def paths(self, ids: set[int]) -> dict[int, tuple[str, str] | None]:
        known = self.pending.organisations
        missing = set()
        for org_id in ids - known.keys():
            org = self.session.identity_map.get(inspect(Organisation).identity_key_from_primary_key([org_id]))
            if org is not None and "path" in inspect(org).dict:
                known[org_id] = (org.path, org.level)
            else:
                missing.add(org_id)
        if missing:
            table = Organisation.__table__
            rows = self.connection.execute(
                select(table.c.id, table.c.path, table.c.level).where(table.c.id.in_(missing))).all()
            for org_id, path, level in rows:
                known[org_id] = (path, level)
        return {org_id: known.get(org_id) for org_id in ids}


def codes_to_renew(paths) -> set[str]:
    """A community's code and its ancestors'; everything for any other organisation."""
    codes: set[str] = set()
    for found in paths:
        if found is None or found[1] != "community":
            return {EVERYTHING}
        codes.update(part for part in found[0].split("/") if part)
    return codes


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context) -> None:
    pending = _pending(session)
    if pending is None or EVERYTHING in pending.codes:
        return
    finder = None
    changed = [*session.new, *session.deleted,
               *(o for o in session.dirty if session.is_modified(o, include_collections=True))]
    for obj in changed:
        table = inspect(obj).mapper.local_table
        if table.name in UNSHOWN:
            continue
        if isinstance(obj, Organisation):
            pending.codes.add(EVERYTHING)
            return
        finder = finder or _Finder(session, pending)
        owners = finder.of_instance(obj)
        if not owners:
            pending.codes.add(EVERYTHING)
            return
        pending.codes |= codes_to_renew(finder.paths(owners).values())
        if EVERYTHING in pending.codes:
            return


def _writes(sql: str) -> bool:
    words = sql.split(None, 1)
    return bool(words) and words[0].upper() in ("INSERT", "UPDATE", "DELETE", "TRUNCATE")


@event.listens_for(Session, "do_orm_execute")
def _collect_bulk(state) -> None:
    """A bulk ``INSERT``/``UPDATE``/``DELETE`` (or one written as text) renews everything."""
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) in UNSHOWN:
            return
    elif not (isinstance(statement, TextClause) and _writes(statement.text)):
        return
    pending = _pending(state.session)
    if pending is not None:
        pending.codes.add(EVERYTHING)


@event.listens_for(Session, "after_commit")
def _renew(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the outer transaction may still roll back
    pending = session.info.pop(PENDING, None)
    if pending is None or not pending.codes:
        return
    for generations in list(_registry.get(pending.database, ())):
        try:
            generations.renew(pending.codes)
        except Exception:  # the commit stands; the cache's timeout bounds what is stale
            log.exception("could not renew the cache generations of %s", sorted(pending.codes))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed (renewed) or rolled back
        session.info.pop(PENDING, None)
