"""Planned budget (预算指标): what a community is meant to receive in a fiscal year.

The street finance office sets, for each community, fiscal year and funding source, the
amount the treasuries have planned (预算数), or imports the figures of the budget
document. An allocation (``ledger.allocations``) is money that has since arrived; the
funds-arrived rate (资金到位率) compares the two, and the execution rate (预算执行率)
measures spending against the plan.

A target is never overwritten: a change is a new row with the next version, who made it,
when and why, and the database refuses ``UPDATE`` and ``DELETE`` on the table. The
current target is the highest version; a report as of a date reads the version in force
that day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    DDL, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event, exists, select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship

from .base import MAX_ENTRY, Base, MoneyError, money, money_sum, utcnow
from .dimensions import FundingSource
from .errors import TOO_LARGE, DomainError, N_
from .organisations import Organisation
from .users import User

#: Only communities keep books of the fund, so only they have a planned budget.
TARGET_LEVEL = "community"
REFERENCE_MAX = 100
REASON_MAX = 1000


class TargetError(DomainError):
    """A budget target that cannot be set as asked."""


class BudgetTarget(Base):
    """One version of the planned budget of a community, year and funding source."""

    __tablename__ = "budget_targets"
    __table_args__ = (
        UniqueConstraint("organisation_id", "fiscal_year", "funding_source_id", "version",
                         name="uq_budget_targets_version"),  # the convention's name is too long for PostgreSQL
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2999", name="fiscal_year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    fiscal_year: Mapped[int]
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    version: Mapped[int]
    amount: Mapped[Decimal]
    #: The budget document (预算指标文号), as printed.
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")
    #: Why the target changed (required from the second version on).
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    funding_source: Mapped[FundingSource] = relationship()
    recorded_by: Mapped[User] = relationship()


def current_condition(as_of: dt.date | None = None, target=BudgetTarget):
    """SQL conditions that keep, of every target, only the version in force (on ``as_of``)."""
    newer = aliased(BudgetTarget)
    later = [
        newer.organisation_id == target.organisation_id, newer.fiscal_year == target.fiscal_year,
        newer.funding_source_id == target.funding_source_id, newer.version > target.version,
    ]
    conditions = []
    if as_of is not None:
        cutoff = _end_of(as_of)
        later.append(newer.recorded_at < cutoff)
        conditions.append(target.recorded_at < cutoff)
    return (~exists().where(*later), *conditions)


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in Beijing, in UTC (targets are set in China)."""
    beijing = dt.timezone(dt.timedelta(hours=8))
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=beijing).astimezone(dt.timezone.utc)


def current_target(
    session: Session, organisation: Organisation, fiscal_year: int, source: FundingSource
) -> BudgetTarget | None:
    """The target in force for one community, year and source (``None``: never set)."""
    return session.scalar(
        select(BudgetTarget).where(
            BudgetTarget.organisation_id == organisation.id, BudgetTarget.fiscal_year == fiscal_year,
            BudgetTarget.funding_source_id == source.id,
        ).order_by(BudgetTarget.version.desc()).limit(1)
    )


def targets_of(session: Session, organisations: list[Organisation], fiscal_year: int) -> list[BudgetTarget]:
    """Every version of the targets of ``organisations`` for the year, newest first per key."""
    if not organisations:
        return []
    return list(session.scalars(
        select(BudgetTarget).where(
            BudgetTarget.organisation_id.in_([o.id for o in organisations]),
            BudgetTarget.fiscal_year == fiscal_year,
        ).order_by(BudgetTarget.organisation_id, BudgetTarget.funding_source_id, BudgetTarget.version.desc())
    ))


def set_target(
    session: Session,
    organisation: Organisation,
    fiscal_year: int,
    source: FundingSource,
    amount: Decimal | int | str,
    by: User,
    reference: str = "",
    reason: str = "",
) -> BudgetTarget:
    """Set the planned budget of a community for a year and source; flushes, never commits.

    The first target needs no reason; a change does, and is kept as a new version.
    Setting the amount and document already in force changes nothing and returns the
    current target, so an import or a form sent twice adds no version.
    """
    if organisation.level != TARGET_LEVEL:
        raise TargetError(N_("A planned budget is set for a community, not a %(level)s."),
                          field="organisation", level=organisation.level)
    if not 2000 <= int(fiscal_year) <= 2999:
        raise TargetError(N_("Enter a fiscal year such as 2026, not %(year)s."), field="fiscal_year",
                          year=fiscal_year)
    try:
        amount = money(amount)
    except MoneyError:
        raise TargetError(N_("Not an amount: %(amount)s."), field="amount", amount=amount) from None
    if amount < 0:
        raise TargetError(N_("A planned budget cannot be negative (%(amount)s)."), field="amount", amount=amount)
    if amount > MAX_ENTRY:
        raise TargetError(TOO_LARGE, field="amount", amount=amount, max=MAX_ENTRY)
    reference, reason = (reference or "").strip(), (reason or "").strip()
    if len(reference) > REFERENCE_MAX or len(reason) > REASON_MAX:
        raise TargetError(N_("The document number or the reason is too long."), field="reference")
    current = current_target(session, organisation, fiscal_year, source)
    if current is not None and current.amount == amount and current.reference == reference:
        return current
    if current is None and not source.is_active:
        raise TargetError(N_("Funding source %(source)s is inactive."), field="source", source=source.code)
    if current is not None and not reason:
        raise TargetError(
            N_("The planned budget of %(community)s from %(source)s is already %(amount)s: say why it changes."),
            field="reason", community=organisation.name, source=source.name, amount=current.amount,
        )
    target = BudgetTarget(
        organisation_id=organisation.id, fiscal_year=int(fiscal_year), funding_source_id=source.id,
        version=(current.version + 1) if current else 1, amount=amount, reference=reference,
        reason=reason, recorded_by_id=by.id,
    )
    session.add(target)
    session.flush()
    return target


def planned_total(session: Session, organisation: Organisation, fiscal_year: int) -> Decimal:
    """The sum of the targets in force of one community for the year (0.00 when none)."""
    return session.scalar(
        select(money_sum(BudgetTarget.amount)).where(
            BudgetTarget.organisation_id == organisation.id, BudgetTarget.fiscal_year == fiscal_year,
            *current_condition(),
        )
    )


#: The columns of a CSV of planned budgets (one row per community, year and source).
CSV_COLUMNS = ("community", "fiscal_year", "source", "amount", "reference", "reason")


def import_targets_csv(session: Session, text: str, by: User) -> tuple[list[BudgetTarget], list[tuple[int, str]]]:
    """Set the planned budgets of a CSV (``CSV_COLUMNS``, a header row first).

    Returns ``(targets, errors)``; ``errors`` are ``(line, message)`` of every wrong row, and
    when there is any the caller rolls back, so a file is taken whole or not at all.
    """
    import csv
    import io

    from .organisations import by_code

    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS[:4] if c not in (rows.fieldnames or [])]
    if missing:
        return [], [(1, f"missing columns: {', '.join(missing)}")]
    sources = {s.code: s for s in session.scalars(select(FundingSource))}
    done, errors = [], []
    for line, row in enumerate(rows, start=2):
        community = by_code(session, (row.get("community") or "").strip())
        source = sources.get((row.get("source") or "").strip())
        if community is None or source is None:
            errors.append((line, f"unknown community {row.get('community')!r} or source {row.get('source')!r}"))
            continue
        try:
            done.append(set_target(session, community, int(row["fiscal_year"]), source, row["amount"] or "", by,
                                   reference=row.get("reference") or "", reason=row.get("reason") or ""))
        except ValueError:
            errors.append((line, f"not a year: {row.get('fiscal_year')!r}"))
        except DomainError as error:
            errors.append((line, error.message))
    return done, errors


# --- append-only, enforced by the database ---------------------------------------------------

TABLE = "budget_targets"
_MESSAGE = f"ledger: {TABLE} rows are append-only"

SQLITE = [
    f"""CREATE TRIGGER ledger_{TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION ledger_{TABLE}_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = '{_MESSAGE}', ERRCODE = 'restrict_violation';
END
$$""",
    f"""CREATE TRIGGER ledger_{TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION ledger_{TABLE}_append_only()""",
]
STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS ledger_{TABLE}_no_{verb}" for verb in ("update", "delete")],
    "postgresql": [f"DROP TRIGGER IF EXISTS ledger_{TABLE}_append_only ON {TABLE}",
                   f"DROP FUNCTION IF EXISTS ledger_{TABLE}_append_only()"],
}


def install_triggers(connection: Connection) -> None:
    """Make the table append-only on an existing schema (for a migration)."""
    for statement in STATEMENTS[connection.dialect.name]:
        connection.exec_driver_sql(statement)


def drop_triggers(connection: Connection) -> None:
    for statement in DROP[connection.dialect.name]:
        connection.exec_driver_sql(statement)


for _dialect, _statements in STATEMENTS.items():
    for _statement in _statements:
        event.listen(BudgetTarget.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))

__all__ = [
    "BudgetTarget", "TargetError", "current_condition", "current_target", "planned_total", "set_target",
    "targets_of", "install_triggers", "drop_triggers",
]
