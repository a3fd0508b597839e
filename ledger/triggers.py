"""Immutability of posted vouchers, enforced by the database itself (防篡改).

The Python rules keep honest code honest; these triggers stop everything else (a bug, a
hand-written ``UPDATE``, another program). For ``vouchers`` and ``voucher_lines``:

* a voucher is inserted as a draft only, so every voucher passes review and posting;
* its status moves draft -> reviewed -> posted; a reviewed voucher may be sent back to
  draft (and must then be reviewed again), a posted one never moves;
* while reviewed, its content is frozen: only the posting columns (status, number, hash,
  previous_hash, posted_by_id, posted_at) may still be set, by the one UPDATE that posts;
* that UPDATE is refused unless the period is open, the lines balance per basis, the
  number is the book's next and ``previous_hash`` is the hash of the voucher before it;
* a posted voucher is never updated or deleted;
* lines are inserted, changed or deleted only while their voucher is a draft.

The DDL is data, one list per dialect and table. ``Base.metadata.create_all`` installs it
through ``after_create`` events; a migration calls ``install_triggers(connection)`` (and
``drop_triggers``) so both paths run the very same statements. Messages carry no percent
sign because ``DDL`` treats ``%`` as a format character.
"""

from __future__ import annotations

from sqlalchemy import DDL, event
from sqlalchemy.engine import Connection

from .totals import ADD_POSTED_VOUCHER
from .vouchers import Voucher, VoucherLine

#: Columns a reviewed voucher may no longer change (everything but the posting columns).
CONTENT_COLUMNS = (
    "book_id", "voucher_date", "period", "description", "idempotency_key", "request_digest",
    "reverses_id", "prepared_by_id", "prepared_at", "reviewed_by_id", "reviewed_at",
)
ALLOWED_TRANSITIONS = "(OLD.status = 'draft' AND NEW.status IN ('draft', 'reviewed')) OR " \
    "(OLD.status = 'reviewed' AND NEW.status IN ('draft', 'reviewed', 'posted'))"

_CLOSED_PERIOD = """EXISTS (SELECT 1 FROM ledger_periods p WHERE p.book_id = NEW.book_id
    AND p.month = NEW.period AND p.closed_at IS NOT NULL)"""
_NO_LINES = "NOT EXISTS (SELECT 1 FROM voucher_lines l WHERE l.voucher_id = NEW.id)"
_UNBALANCED = """EXISTS (SELECT 1 FROM voucher_lines l JOIN accounts a ON a.id = l.account_id
    WHERE l.voucher_id = NEW.id GROUP BY a.basis HAVING sum(l.debit) <> sum(l.credit))"""
_NOT_NEXT = """NEW.number {ne} (SELECT coalesce(max(v.number), 0) + 1 FROM vouchers v
    WHERE v.book_id = NEW.book_id AND v.status = 'posted')"""
_NOT_LINKED = """NEW.previous_hash {ne} (SELECT v.hash FROM vouchers v WHERE v.book_id = NEW.book_id
    AND v.status = 'posted' AND v.number = NEW.number - 1)"""
_LINE_FROZEN = "(SELECT v.status FROM vouchers v WHERE v.id = {row}.voucher_id) IN ('reviewed', 'posted')"


def _sqlite_raise(message: str) -> str:
    return f"SELECT RAISE(ABORT, 'ledger: {message}')"


def _sqlite_posting_checks() -> str:
    checks = [
        (_CLOSED_PERIOD, "period is closed"),
        (_NO_LINES, "voucher has no lines"),
        (_UNBALANCED, "a basis does not balance"),
        (_NOT_NEXT.format(ne="IS NOT"), "number is not the next of its book"),
        (_NOT_LINKED.format(ne="IS NOT"), "previous_hash is not the hash of the voucher before"),
    ]
    return "\n".join(f"    {_sqlite_raise(message)} WHERE {condition};" for condition, message in checks)


_content_changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT_COLUMNS)

SQLITE = {
    "vouchers": [
        f"""CREATE TRIGGER ledger_vouchers_insert_draft BEFORE INSERT ON vouchers
WHEN NEW.status <> 'draft'
BEGIN {_sqlite_raise("a voucher is created as a draft")}; END""",
        f"""CREATE TRIGGER ledger_vouchers_posted_update BEFORE UPDATE ON vouchers
WHEN OLD.status = 'posted'
BEGIN {_sqlite_raise("a posted voucher cannot be changed")}; END""",
        f"""CREATE TRIGGER ledger_vouchers_posted_delete BEFORE DELETE ON vouchers
WHEN OLD.status = 'posted'
BEGIN {_sqlite_raise("a posted voucher cannot be deleted")}; END""",
        f"""CREATE TRIGGER ledger_vouchers_transition BEFORE UPDATE ON vouchers
WHEN NOT ({ALLOWED_TRANSITIONS})
BEGIN {_sqlite_raise("status may only move draft, reviewed (or back to draft), posted")}; END""",
        f"""CREATE TRIGGER ledger_vouchers_reviewed_frozen BEFORE UPDATE ON vouchers
WHEN OLD.status = 'reviewed' AND NEW.status <> 'draft' AND ({_content_changed_sqlite})
BEGIN {_sqlite_raise("a reviewed voucher cannot be changed")}; END""",
        f"""CREATE TRIGGER ledger_vouchers_posting BEFORE UPDATE ON vouchers
WHEN OLD.status <> 'posted' AND NEW.status = 'posted'
BEGIN
{_sqlite_posting_checks()}
END""",
        f"""CREATE TRIGGER ledger_vouchers_totals AFTER UPDATE ON vouchers
WHEN OLD.status <> 'posted' AND NEW.status = 'posted'
BEGIN
{ADD_POSTED_VOUCHER};
END""",
    ],
    "voucher_lines": [
        f"""CREATE TRIGGER ledger_voucher_lines_insert BEFORE INSERT ON voucher_lines
WHEN {_LINE_FROZEN.format(row="NEW")}
BEGIN {_sqlite_raise("lines are added to a draft voucher only")}; END""",
        f"""CREATE TRIGGER ledger_voucher_lines_update BEFORE UPDATE ON voucher_lines
WHEN {_LINE_FROZEN.format(row="OLD")} OR {_LINE_FROZEN.format(row="NEW")}
BEGIN {_sqlite_raise("lines of a reviewed or posted voucher cannot be changed")}; END""",
        f"""CREATE TRIGGER ledger_voucher_lines_delete BEFORE DELETE ON voucher_lines
WHEN {_LINE_FROZEN.format(row="OLD")}
BEGIN {_sqlite_raise("lines of a reviewed or posted voucher cannot be deleted")}; END""",
    ],
}


def _pg_raise(message_sql: str) -> str:
    # restrict_violation (23001): drivers report it as an IntegrityError, as SQLite does.
    return f"RAISE EXCEPTION USING MESSAGE = {message_sql}, ERRCODE = 'restrict_violation'"


def _pg_text(message: str) -> str:
    return f"'ledger: {message}'"


_content_columns_pg = ", ".join(CONTENT_COLUMNS)
_content_new = ", ".join(f"NEW.{c}" for c in CONTENT_COLUMNS)
_content_old = ", ".join(f"OLD.{c}" for c in CONTENT_COLUMNS)
_pg_posting_checks = "\n".join(
    f"    IF {condition} THEN {_pg_raise(_pg_text(message))}; END IF;"
    for condition, message in (
        (_CLOSED_PERIOD, "period is closed"),
        (_NO_LINES, "voucher has no lines"),
        (_UNBALANCED, "a basis does not balance"),
        (_NOT_NEXT.format(ne="IS DISTINCT FROM"), "number is not the next of its book"),
        (_NOT_LINKED.format(ne="IS DISTINCT FROM"),
         "previous_hash is not the hash of the voucher before"),
    )
)

POSTGRESQL = {
    "vouchers": [
        f"""CREATE OR REPLACE FUNCTION ledger_guard_vouchers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' THEN {_pg_raise(_pg_text("a voucher is created as a draft"))}; END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'posted' THEN
    {_pg_raise("'ledger: posted voucher ' || OLD.id || ' cannot be ' || "
               "CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END")};
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  IF NOT ({ALLOWED_TRANSITIONS}) THEN
    {_pg_raise(_pg_text("status may only move draft, reviewed (or back to draft), posted"))};
  END IF;
  IF OLD.status = 'reviewed' AND NEW.status <> 'draft' AND ROW({_content_new}) IS DISTINCT FROM ROW({_content_old}) THEN
    {_pg_raise(_pg_text("a reviewed voucher cannot be changed"))};
  END IF;
  IF NEW.status = 'posted' THEN
{_pg_posting_checks}
    {ADD_POSTED_VOUCHER};
  END IF;
  RETURN NEW;
END
$$""",
        """CREATE TRIGGER ledger_guard_vouchers BEFORE INSERT OR UPDATE OR DELETE ON vouchers
FOR EACH ROW EXECUTE FUNCTION ledger_guard_vouchers()""",
    ],
    "voucher_lines": [
        f"""CREATE OR REPLACE FUNCTION ledger_guard_voucher_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND {_LINE_FROZEN.format(row="OLD")} THEN
    {_pg_raise(_pg_text("lines of a reviewed or posted voucher cannot be changed or deleted"))};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {_LINE_FROZEN.format(row="NEW")} THEN
    {_pg_raise(_pg_text("lines are added to or moved into a draft voucher only"))};
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$""",
        """CREATE TRIGGER ledger_guard_voucher_lines BEFORE INSERT OR UPDATE OR DELETE
ON voucher_lines FOR EACH ROW EXECUTE FUNCTION ledger_guard_voucher_lines()""",
    ],
}

TRIGGERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}

DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}" for name in (
            "ledger_vouchers_insert_draft", "ledger_vouchers_posted_update",
            "ledger_vouchers_posted_delete", "ledger_vouchers_transition",
            "ledger_vouchers_reviewed_frozen", "ledger_vouchers_posting", "ledger_vouchers_totals",
            "ledger_voucher_lines_insert", "ledger_voucher_lines_update",
            "ledger_voucher_lines_delete",
        )
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledger_guard_vouchers ON vouchers",
        "DROP TRIGGER IF EXISTS ledger_guard_voucher_lines ON voucher_lines",
        "DROP FUNCTION IF EXISTS ledger_guard_vouchers()",
        "DROP FUNCTION IF EXISTS ledger_guard_voucher_lines()",
    ],
}


def statements(dialect: str, totals: bool = True) -> list[str]:
    """Every statement that installs the triggers on ``dialect``, in order; without
    ``totals``, the triggers as they were before ``budget_totals`` (for old migrations)."""
    found = [s for table in ("vouchers", "voucher_lines") for s in TRIGGERS[dialect][table]]
    if totals:
        return found
    keeping_totals = f"\n    {ADD_POSTED_VOUCHER};"
    return [s.replace(keeping_totals, "") for s in found if "ledger_vouchers_totals" not in s]


def install_triggers(connection: Connection, totals: bool = True) -> None:
    """Install the triggers on an existing schema (an Alembic migration calls this)."""
    for statement in statements(connection.dialect.name, totals):
        connection.exec_driver_sql(statement)


def drop_triggers(connection: Connection) -> None:
    """Remove the triggers (a migration's downgrade)."""
    for statement in DROP[connection.dialect.name]:
        connection.exec_driver_sql(statement)


def _attach() -> None:
    """Have ``create_all`` install each table's triggers right after creating it."""
    tables = {"vouchers": Voucher.__table__, "voucher_lines": VoucherLine.__table__}
    for dialect, by_table in TRIGGERS.items():
        for name, table in tables.items():
            for statement in by_table[name]:
                event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))


_attach()
