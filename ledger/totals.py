"""Running totals of posted lines (过账汇总), kept by the database as each voucher is posted.

Budget control asks, for every posting, what a project has spent and what a community
has received and spent from each funding source, over all years. Summed from the lines,
that question reads the community's whole history, so posting slowed down year after
year (and PostgreSQL hashed every voucher of the city to answer it). These totals answer
it from a few rows per book instead.

One row per book, project, funding source, account and kind of voucher (year-end closing
or not) holds the debits and credits of the posted lines with those tags. No Python code
writes it: the trigger that checks a posting (``ledger/triggers.py``) adds the voucher's
lines in the same statement, so a total can never miss a posting, count one twice, or
count a voucher that was refused. ``0`` stands for "no project" and "no funding source"
in the key, because a primary key cannot hold NULL.

``verify`` (``ledger/verify.py``) compares each book's totals with its lines, so a total
changed by hand is found like a changed voucher; ``rebuild_totals`` recomputes them all,
for a migration or after a bulk load that bypassed the triggers.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, column, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, Money
from .vouchers import CLOSING_PREFIX, POSTED, ZERO

#: The SQL of a voucher's "closing" flag, for both dialects.
CLOSING_SQL = f"substr({{voucher}}.idempotency_key, 1, {len(CLOSING_PREFIX)}) = '{CLOSING_PREFIX}'"

#: The columns, and the grouping of posted lines that fills them (one voucher or all).
_COLUMNS = "book_id, organisation_id, project_key, source_key, account_id, closing, debit, credit"
_GROUPED = """SELECT v.book_id, l.organisation_id, coalesce(l.project_id, 0), coalesce(l.funding_source_id, 0),
    l.account_id, {closing}, sum(l.debit), sum(l.credit)
  FROM voucher_lines l JOIN vouchers v ON v.id = l.voucher_id
  WHERE {where}
  GROUP BY v.book_id, l.organisation_id, coalesce(l.project_id, 0), coalesce(l.funding_source_id, 0),
    l.account_id, {closing}"""

#: Add the lines of the voucher being posted (``NEW``) to the totals: the body of the triggers.
ADD_POSTED_VOUCHER = f"""INSERT INTO budget_totals ({_COLUMNS})
{_GROUPED.format(closing=CLOSING_SQL.format(voucher="v"), where="l.voucher_id = NEW.id")}
ON CONFLICT (book_id, project_key, source_key, account_id, closing)
DO UPDATE SET debit = budget_totals.debit + excluded.debit, credit = budget_totals.credit + excluded.credit"""


class BudgetTotal(Base):
    """The posted debits and credits of one book for one combination of tags."""

    __tablename__ = "budget_totals"

    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), primary_key=True)
    #: The project's id, or 0 for lines without a project.
    project_key: Mapped[int] = mapped_column(primary_key=True)
    #: The funding source's id, or 0 for lines without one.
    source_key: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    #: Lines of year-end closing vouchers, which budget control reads apart.
    closing: Mapped[bool] = mapped_column(primary_key=True)
    #: The book's organisation, kept here so that budget control selects by organisation.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    debit: Mapped[Decimal] = mapped_column(default=ZERO)
    credit: Mapped[Decimal] = mapped_column(default=ZERO)


def _grouped(where: str):
    """The posted lines grouped into totals (``_GROUPED``), with the columns' types."""
    return text(_GROUPED.format(closing=CLOSING_SQL.format(voucher="v"), where=where)).columns(
        *(column(name, Integer) for name in ("book_id", "organisation_id", "project_key", "source_key", "account_id")),
        column("closing", Boolean), column("debit", Money()), column("credit", Money()))


def rebuild_totals(connection: Connection) -> None:
    """Recompute every total from the posted lines (a migration, or after a bulk load)."""
    connection.execute(text("DELETE FROM budget_totals"))
    connection.execute(text(f"INSERT INTO budget_totals ({_COLUMNS}) " + _GROUPED.format(
        closing=CLOSING_SQL.format(voucher="v"), where=f"v.status = '{POSTED}'")))


def _summed(rows) -> dict[tuple, tuple[Decimal, Decimal]]:
    """``{(project, source, account, closing): (debit, credit)}`` of rows that hold money."""
    return {(project, source, account, bool(closing)): (debit, credit)
            for project, source, account, closing, debit, credit in rows if debit or credit}


def totals_differences(session: Session, book_id: int) -> list[str]:
    """How the totals of one book differ from its posted lines (grouped as the posting
    trigger groups them), a message per key."""
    from_lines = _summed(row[2:] for row in session.execute(
        _grouped(f"v.status = '{POSTED}' AND v.book_id = :book"), {"book": book_id}))
    kept = _summed(session.execute(
        select(BudgetTotal.project_key, BudgetTotal.source_key, BudgetTotal.account_id, BudgetTotal.closing,
               BudgetTotal.debit, BudgetTotal.credit).where(BudgetTotal.book_id == book_id)))
    found = []
    for key in sorted(set(from_lines) | set(kept)):
        project, source, account, is_closing = key
        lines, total = from_lines.get(key, (ZERO, ZERO)), kept.get(key, (ZERO, ZERO))
        if lines != total:
            found.append(
                f"budget totals (project {project or '-'}, source {source or '-'}, account {account}"
                f"{', closing' if is_closing else ''}) hold debit {total[0]} / credit {total[1]}, "
                f"the posted lines debit {lines[0]} / credit {lines[1]}")
    return found
