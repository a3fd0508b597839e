"""The figures a street committee and a district oversight office watch (监督看板).

Every money figure comes from the ledger's reports (``ledger.reports``), every overdue
step from the workflow's timers; this module only narrows them to one street or one
district and names what the reports leave for a reader to notice: idle communities,
spending concentrated on one purpose, allocations that arrived late. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ledger.allocations import Allocation, counted
from ledger.base import utcnow
from ledger.books import Book
from ledger.dimensions import FundingSource
from ledger.organisations import LEVELS, Organisation
from ledger.reports import (
    Rounding, community_overview, execution_by_organisation, execution_by_purpose, execution_timeline,
)
from ledger.users import User
from ledger.vouchers import POSTED, BudgetOverride, OverrideRequest, Voucher
from workflows.emergency import followed_up
from workflows.projects import PROJECT_TYPES, Project
from workflows.timers import overdue_follow_ups, overdue_steps

#: Rates are shown as evaluators publish them: truncated to two decimals of a percent.
RATES = Rounding("truncate", 2)
#: A purpose above this share of a community's (or the street's) spending is flagged.
DEFAULT_SHARE = Decimal("40")
#: An allocation arriving after this day of its fiscal year (month, day) counts as late;
#: the application's setting ``LATE_ALLOCATION_CUTOFF`` ("MM-DD") replaces it.
LATE_AFTER = (6, 30)
BEIJING = dt.timezone(dt.timedelta(hours=8))
ZERO = Decimal("0.00")


def under(org: Organisation):
    """Organisations at or below ``org`` (by path, exactly: codes may hold ``_``)."""
    return Organisation.path.startswith(org.path, autoescape=True)


def communities_of(session: Session, root: Organisation) -> list[Organisation]:
    return list(session.scalars(
        select(Organisation).where(under(root), Organisation.level == "community").order_by(Organisation.path)
    ))


def projects_under(session: Session, root: Organisation, year: int | None = None):
    """A ``select`` of the workflow projects of the communities below ``root``."""
    stmt = select(Project).join(Organisation, Organisation.id == Project.community_id).where(under(root))
    if year is not None:
        stmt = stmt.where(Project.plan_year == year)
    return stmt.order_by(Organisation.path, Project.code)


def default_year() -> int:
    return utcnow().astimezone(BEIJING).year


def parse_cutoff(text: str) -> tuple[int, int]:
    """``"06-30"`` → ``(6, 30)``; a day that is not in every year (``02-29``) is refused."""
    try:
        month, day = (int(part) for part in str(text).strip().split("-"))
        dt.date(2001, month, day)
    except ValueError:
        raise ValueError(f"LATE_ALLOCATION_CUTOFF must be a day as MM-DD, such as 06-30, not {text!r}") from None
    return month, day


def timeline_months(year: int) -> int:
    """How many months of ``year`` have begun (12 for a past year, 1 for a future one)."""
    today = utcnow().astimezone(BEIJING).date()
    return 12 if year < today.year else today.month if year == today.year else 1


# --- concentration (用途集中) ------------------------------------------------------------


def concentrated_purposes(session: Session, root: Organisation, year: int, threshold: Decimal) -> pd.DataFrame:
    """Purposes above ``threshold`` % of all spending under ``root`` (the core's shares)."""
    frame = execution_by_purpose(session, root, year, rounding=RATES)
    flagged = frame[[s is not None and s > threshold for s in frame["share"]]]
    return flagged.reset_index(drop=True)


def concentrated_communities(session: Session, root: Organisation, year: int, threshold: Decimal) -> pd.DataFrame:
    """Communities under ``root`` where one purpose takes more than ``threshold`` % of spending.

    Read from the ledger's per-community overview (分社区、按用途): one row per flagged
    community with its largest purpose, that purpose's spending, the community's total
    and the share (truncated like every rate).
    """
    overview = community_overview(session, root, year)
    fixed = {"organisation", "name", "income", "spent", "balance"}
    purposes = [c for c in overview.columns if c not in fixed]
    records = []
    for _, row in overview.iterrows():
        total = row["spent"]
        if not total or not purposes:
            continue
        top = max(purposes, key=lambda p: row[p])
        share = RATES.percent(row[top], total)
        if share is not None and share > threshold:
            records.append((row["organisation"], row["name"], top, row[top], total, share))
    return pd.DataFrame.from_records(
        records, columns=["organisation", "name", "purpose", "purpose_spent", "spent", "share"]
    )


# --- idle communities (空转社区) -----------------------------------------------------------


def idle_communities(session: Session, root: Organisation, year: int, execution: pd.DataFrame) -> pd.DataFrame:
    """Communities with no project this year (none, or only rejected ones) and nothing spent.

    ``execution`` is the ledger's execution by community for the same root and year.
    """
    active = set()
    for project in session.scalars(projects_under(session, root, year)):
        if not (project.step.final and project.approved_amount is None):  # rejected: no activity
            active.add(project.community.code)
    rows = execution[[
        code not in active and not spent for code, spent in zip(execution["organisation"], execution["spent"])
    ]]
    return rows[["organisation", "name", "allocated", "arrived", "spent"]].reset_index(drop=True)


# --- late allocations (资金下达迟缓) ----------------------------------------------------------


def late_allocations(session: Session, root: Organisation, year: int,
                     late_after: tuple[int, int] = LATE_AFTER) -> pd.DataFrame:
    """Allocations of ``year`` under ``root`` that arrived after the cutoff (30 June unless
    set otherwise), posted and not reversed."""
    cutoff = dt.date(year, *late_after)
    rows = session.execute(
        select(Organisation.code, Organisation.name, FundingSource.code, Allocation.amount, Allocation.arrived_on)
        .join(Book, Book.id == Allocation.book_id)
        .join(Organisation, Organisation.id == Book.organisation_id)
        .join(FundingSource, FundingSource.id == Allocation.funding_source_id)
        .where(under(root), Book.fiscal_year == year, Allocation.arrived_on > cutoff, counted())
        .order_by(Organisation.path, Allocation.arrived_on, Allocation.id)
    ).all()
    return pd.DataFrame.from_records(
        [(c, n, s, a, d, (d - cutoff).days) for c, n, s, a, d in rows],
        columns=["organisation", "name", "source", "amount", "arrived_on", "days_late"],
    )


def postings_past_budget(session: Session, root: Organisation, year: int) -> pd.DataFrame:
    """Vouchers of ``year`` under ``root`` posted past a budget limit (超预算), with who allowed it."""
    rows = session.execute(
        select(Organisation.code, Organisation.name, Voucher, BudgetOverride.reason, User.display_name,
               BudgetOverride.at, OverrideRequest.answer)
        .join(Voucher, Voucher.id == BudgetOverride.voucher_id)
        .outerjoin(OverrideRequest, OverrideRequest.id == BudgetOverride.request_id)
        .join(Book, Book.id == Voucher.book_id)
        .join(Organisation, Organisation.id == Book.organisation_id)
        .join(User, User.id == BudgetOverride.by_id)
        .where(under(root), Book.fiscal_year == year, Voucher.status == POSTED)
        .order_by(Organisation.path, Voucher.number)
        .options(selectinload(Voucher.lines))
    ).all()
    records = []
    for code, name, voucher, reason, allowed_by, allowed_at, note in rows:
        projects = sorted({line.project.code for line in voucher.lines if line.project is not None})
        amount = sum((line.debit for line in voucher.lines if line.account.basis == "financial"), Decimal("0.00"))
        records.append((code, name, voucher.number, voucher.date, "、".join(projects), voucher.description, amount,
                        allowed_by, allowed_at, note or "", reason))
    return pd.DataFrame.from_records(records, columns=[
        "organisation", "name", "voucher", "date", "project", "description", "amount", "allowed_by", "allowed_at",
        "note", "reason"])


# --- projects: overdue steps, emergencies, counts ------------------------------------------


@dataclass(frozen=True)
class ProjectLine:
    """A project as a list shows it, with what the timer found about it."""

    project: Project
    since: dt.datetime | None = None
    days_over: int | None = None
    due: dt.datetime | None = None
    overdue: bool = False


def overdue(session: Session, root: Organisation) -> list[ProjectLine]:
    """Projects under ``root`` that stayed at a step longer than its limit (workflows.timers)."""
    found = overdue_steps(session)
    projects = _by_id(session, root, [o.project_id for o in found])
    return [ProjectLine(projects[o.project_id], since=o.since, days_over=o.days_over)
            for o in found if o.project_id in projects]


def emergencies(session: Session, root: Organisation) -> list[ProjectLine]:
    """Emergencies approved in advance whose deliberations or notice are still due.

    Those whose clock ran out come from ``workflows.emergency.overdue_follow_ups``.
    """
    late = {o.project_id: o for o in overdue_follow_ups(session)}
    lines = []
    stmt = projects_under(session, root).where(Project.follow_up_due.is_not(None))
    for project in session.scalars(stmt):
        if project.step.final:
            continue
        if project.id in late:
            lines.append(ProjectLine(project, due=project.follow_up_due, days_over=late[project.id].days_over,
                                     overdue=True))
        elif not followed_up(session, project):
            lines.append(ProjectLine(project, due=project.follow_up_due))
    return sorted(lines, key=lambda line: (not line.overdue, line.due))


def _by_id(session: Session, root: Organisation, ids: list[int]) -> dict[int, Project]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(projects_under(session, root).where(Project.id.in_(ids)))}


@dataclass
class Counts:
    """Projects of a year by type and by step (the step's number and title)."""

    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_step: list[tuple[int, str, int]] = field(default_factory=list)
    total: int = 0


def project_counts(session: Session, root: Organisation, year: int) -> Counts:
    types, steps = Counter(), Counter()
    for project in session.scalars(projects_under(session, root, year)):
        types[project.project_type] += 1
        step = project.step
        steps[(step.number if not step.final else 99, step.title)] += 1
    return Counts(
        by_type=[(t, types[t]) for t in PROJECT_TYPES if types[t]],
        by_step=[(n, title, count) for (n, title), count in sorted(steps.items())],
        total=sum(types.values()),
    )


# --- the whole board -------------------------------------------------------------------------


@dataclass
class Board:
    """Everything a dashboard of one street or district shows for one year."""

    root: Organisation
    year: int
    threshold: Decimal
    total: dict
    execution: pd.DataFrame  # by community
    by_street: pd.DataFrame | None
    purposes: pd.DataFrame  # the root's spending by purpose, with shares
    concentrated: pd.DataFrame  # flagged communities
    concentrated_root: pd.DataFrame  # flagged purposes of the whole root
    concentrated_streets: pd.DataFrame | None
    idle: pd.DataFrame
    late: pd.DataFrame
    late_cutoff: dt.date  # allocations arriving after this day are late
    past_budget: pd.DataFrame  # postings allowed past a budget limit, with who allowed them
    timeline: pd.DataFrame  # the root's cumulative spending and execution rate by month
    overdue: list[ProjectLine]
    emergencies: list[ProjectLine]
    counts: Counts


def board(session: Session, root: Organisation, year: int, threshold: Decimal = DEFAULT_SHARE,
          late_after: tuple[int, int] = LATE_AFTER) -> Board:
    """The dashboard of ``root`` (a street or a district) for ``year``."""
    execution = execution_by_organisation(session, root, year, "community", rounding=RATES)
    total = execution_by_organisation(session, root, year, root.level, rounding=RATES).iloc[0].to_dict()
    by_street = None
    concentrated_streets = None
    if LEVELS.index(root.level) < LEVELS.index("street"):
        by_street = execution_by_organisation(session, root, year, "street", rounding=RATES)
        records = []
        for street in session.scalars(select(Organisation).where(under(root), Organisation.level == "street")
                                      .order_by(Organisation.path)):
            for _, row in concentrated_purposes(session, street, year, threshold).iterrows():
                records.append((street.code, street.name, row["purpose"], row["name"], row["spent"], row["share"]))
        concentrated_streets = pd.DataFrame.from_records(
            records, columns=["organisation", "name", "purpose", "purpose_name", "spent", "share"])
    return Board(
        root=root, year=year, threshold=threshold, total=total, execution=execution, by_street=by_street,
        purposes=execution_by_purpose(session, root, year, rounding=RATES),
        concentrated=concentrated_communities(session, root, year, threshold),
        concentrated_root=concentrated_purposes(session, root, year, threshold),
        concentrated_streets=concentrated_streets,
        idle=idle_communities(session, root, year, execution),
        late=late_allocations(session, root, year, late_after), late_cutoff=dt.date(year, *late_after),
        past_budget=postings_past_budget(session, root, year),
        timeline=execution_timeline(session, root, year, rounding=RATES, months=timeline_months(year)),
        overdue=overdue(session, root), emergencies=emergencies(session, root),
        counts=project_counts(session, root, year),
    )


def years_with_books(session: Session, root: Organisation) -> list[int]:
    """The fiscal years that have books under ``root``, newest first, with this year."""
    years = set(session.scalars(
        select(Book.fiscal_year).join(Organisation, Organisation.id == Book.organisation_id).where(under(root))
        .distinct()
    ))
    years.add(default_year())
    return sorted(years, reverse=True)
