"""Budget execution (预算执行): allocated, arrived, spent, balance and the rates evaluators score.

For one fiscal year and everything under an organisation, by community, street, district
or city, by funding source, by purpose and by project:

* allocated (预算数) — the planned budget (``ledger.targets``) of each community and
  funding source; where no target was set, the allocations recorded for the year's
  books (less any whose voucher was reversed), so books without a plan read as before;
* arrived (到位) — the money that actually came in: posted budget revenue (预算收入);
* spent (支出) — posted spending on the chosen basis (budget expenditure by default);
* balance (结余, carried over 结转) — arrived less spent;
* execution rate (预算执行率) = spent / allocated, funds-arrived rate (资金到位率) =
  arrived / allocated, as ``Decimal`` percentages rounded by a ``Rounding``.

Closing vouchers (结账) are left out: they empty revenue and spending, they are not any.
Every figure is summed by the database; pandas only shapes the rows.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import case, false, select
from sqlalchemy.orm import Session

from ..accounts import BUDGET, SPENDING_CATEGORY, Account
from ..allocations import Allocation, counted
from ..books import Book
from ..dimensions import FundingSource, PurposeCategory
from ..errors import N_
from ..organisations import LEVELS, Organisation
from ..projects import LedgerProject
from ..targets import BudgetTarget, current_condition
from ..totals import BudgetTotal
from ..vouchers import POSTED, Voucher, VoucherLine
from .common import (
    TRUNCATE, ZERO, ReportError, Rounding, books_in_scope, is_closing, money_sum, under,
)

FIGURES = ["allocated", "arrived", "spent", "balance", "execution_rate", "arrival_rate"]


def _income_and_spending(basis: str):
    """The two sums every execution figure needs, as columns of a grouped select."""
    income = case((Account.category == "budget_revenue", VoucherLine.credit - VoucherLine.debit), else_=0)
    spending = case(
        (Account.category == SPENDING_CATEGORY[basis], VoucherLine.debit - VoucherLine.credit), else_=0
    )
    return money_sum(income), money_sum(spending)


def _by_owner(session: Session, root: Organisation, fiscal_year: int, basis: str, as_of: dt.date | None,
              *keys) -> list[tuple]:
    """Income and spending summed per book owner (and ``keys``): rows ``(path, *keys, income, spent)``.

    Figures of whole years come from the running totals (``ledger.totals``: a few rows per
    book, kept by the posting trigger and checked by ``verify``); figures up to a date, or
    by a key the totals do not keep, from the lines.

    The database sums the lines of the two categories that count per owner and account (plain
    sums grouped by integers, as cheap as a bare ``GROUP BY``), then per owner; the few owner
    rows are then matched to their community, street or district in Python (``_roll_up``).
    Matched line by line in SQL, that path test (a prefix the planner cannot estimate) made
    PostgreSQL pair every book with every organisation, and even after the sums it paired
    every owner with every organisation of the level: quadratic in the communities.
    """
    counted = select(Account.id).where(Account.category.in_(("budget_revenue", SPENDING_CATEGORY[basis])))
    if as_of is None and not keys:  # whole years: the running totals hold these sums already
        columns = [BudgetTotal.organisation_id.label("owner_id"), BudgetTotal.account_id]
        sums = select(*columns, money_sum(BudgetTotal.debit).label("debit"),
                      money_sum(BudgetTotal.credit).label("credit")).where(
            BudgetTotal.book_id.in_(books_in_scope(root, fiscal_year)), BudgetTotal.closing.is_(False),
            BudgetTotal.account_id.in_(counted)).group_by(*columns).subquery()
    else:
        columns = [VoucherLine.organisation_id.label("owner_id"), VoucherLine.account_id, *keys]
        sums = (
            select(*columns, money_sum(VoucherLine.debit).label("debit"),
                   money_sum(VoucherLine.credit).label("credit"))
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(*_lines(root, fiscal_year, as_of), VoucherLine.account_id.in_(counted)).group_by(*columns)
        ).subquery()
    income = case((Account.category == "budget_revenue", sums.c.credit - sums.c.debit), else_=0)
    spending = case((Account.category == SPENDING_CATEGORY[basis], sums.c.debit - sums.c.credit), else_=0)
    grouping = [Organisation.path, *(sums.c[key.name] for key in keys)]
    return session.execute(
        select(*grouping, money_sum(income), money_sum(spending))
        .select_from(sums).join(Organisation, Organisation.id == sums.c.owner_id)
        .join(Account, Account.id == sums.c.account_id).group_by(*grouping)
    ).all()


def _levelled(session: Session, root: Organisation, level: str) -> list[tuple]:
    """Rows ``(id, code, name, path)`` of the organisations at ``level`` under ``root``, by path."""
    if level not in LEVELS or LEVELS.index(level) < LEVELS.index(root.level):
        raise ReportError(
            N_("A report on %(root)s cannot be broken down by %(level)s."), field="level",
            root=root.code, level=level,
        )
    return session.execute(
        select(Organisation.id, Organisation.code, Organisation.name, Organisation.path)
        .where(Organisation.level == level, under(Organisation.path, root.path))
        .order_by(Organisation.path)
    ).all()


def _roll_up(rows, groups: dict[str, object], amounts: int) -> dict[tuple, list]:
    """Rows ``(path, *keys, *amounts)`` summed into ``{(group, *keys): [amounts]}``.

    ``groups`` maps the path of each organisation rolled up to to its key; a row counts
    for every group whose path its own path starts with (the node itself or an ancestor),
    found by looking up the row's own path and each of its ancestors' (``/C/D/S/`` lies
    under ``/C/``, ``/C/D/`` and ``/C/D/S/``): linear in the rows, exact like ``under``.
    """
    totals: dict[tuple, list] = {}
    for row in rows:
        path, keys, values = row[0], tuple(row[1:len(row) - amounts]), row[len(row) - amounts:]
        end = path.find("/", 1)
        while end != -1:
            group = groups.get(path[:end + 1])
            if group is not None:
                sums = totals.setdefault((group, *keys), [ZERO] * amounts)
                for index, value in enumerate(values):
                    sums[index] += value
            end = path.find("/", end + 1)
    return totals


def _lines(root: Organisation, fiscal_year: int, as_of: dt.date | None):
    conditions = [
        Voucher.status == POSTED, ~is_closing(),
        Voucher.book_id.in_(books_in_scope(root, fiscal_year)),
    ]
    if as_of is not None:
        conditions.append(Voucher.date <= as_of)
    return conditions


def _allocations(root: Organisation, fiscal_year: int, as_of: dt.date | None):
    conditions = [Allocation.book_id.in_(books_in_scope(root, fiscal_year)), counted()]
    if as_of is not None:
        conditions.append(Allocation.arrived_on <= as_of)
    return conditions


def _money_in(session: Session, root: Organisation, fiscal_year: int, as_of: dt.date | None,
              by_source: bool) -> tuple[list[tuple], list[tuple]]:
    """Rows ``(key, owner, source, amount)`` of the allocations and of the targets in force
    under ``root`` (``_budget``'s input), the key being the owner's path (to roll up to a
    level) or, ``by_source``, the funding source."""
    allocations = (Allocation.funding_source_id if by_source else Organisation.path,
                   Book.organisation_id, Allocation.funding_source_id)
    recorded = session.execute(
        select(*allocations, money_sum(Allocation.amount))
        .join(Book, Book.id == Allocation.book_id).join(Organisation, Organisation.id == Book.organisation_id)
        .where(*_allocations(root, fiscal_year, as_of)).group_by(*allocations)
    ).all()
    targets = (BudgetTarget.funding_source_id if by_source else Organisation.path,
               BudgetTarget.organisation_id, BudgetTarget.funding_source_id)
    planned = session.execute(
        select(*targets, money_sum(BudgetTarget.amount))
        .join(Organisation, Organisation.id == BudgetTarget.organisation_id)
        .where(BudgetTarget.fiscal_year == fiscal_year, under(Organisation.path, root.path),
               *current_condition(as_of)).group_by(*targets)
    ).all()
    return recorded, planned


def _budget(recorded: list[tuple], planned: list[tuple]) -> dict:
    """``{key: budget}`` from rows ``(key, owner, source, amount)`` of allocations and targets.

    Per community and funding source the target counts when one is set, otherwise what
    was allocated; the budgets are then added up by ``key``.
    """
    allocated = {(key, owner, source): amount for key, owner, source, amount in recorded}
    targets = {(key, owner, source): amount for key, owner, source, amount in planned}
    budget: dict = {}
    for triple in set(allocated) | set(targets):
        amount = targets[triple] if triple in targets else allocated[triple]
        budget[triple[0]] = budget.get(triple[0], ZERO) + amount
    return budget


def _rates(frame: pd.DataFrame, rounding: Rounding, base: str = "allocated") -> pd.DataFrame:
    frame["balance"] = [a - s for a, s in zip(frame["arrived"], frame["spent"])]
    frame["execution_rate"] = [rounding.percent(s, b) for s, b in zip(frame["spent"], frame[base])]
    frame["arrival_rate"] = [rounding.percent(a, b) for a, b in zip(frame["arrived"], frame[base])]
    return frame


def _merge(keys: list[tuple], allocated: dict, moved: dict, columns: list[str]) -> pd.DataFrame:
    records = []
    for key in keys:
        income, spent = moved.get(key[0], (ZERO, ZERO))
        records.append((*key, allocated.get(key[0], ZERO), income, spent))
    return pd.DataFrame.from_records(records, columns=columns + ["allocated", "arrived", "spent"])


def execution_by_organisation(
    session: Session,
    root: Organisation,
    fiscal_year: int,
    level: str = "community",
    basis: str = BUDGET,
    rounding: Rounding = TRUNCATE,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """One row per organisation at ``level`` under ``root``, idle ones included (zeros)."""
    organisations = _levelled(session, root, level)
    moved = _by_owner(session, root, fiscal_year, basis, as_of)
    return _execution_frame(session, root, fiscal_year, organisations, moved, rounding, as_of)


def _execution_frame(session: Session, root: Organisation, fiscal_year: int, organisations: list[tuple],
                     moved: list[tuple], rounding: Rounding, as_of: dt.date | None) -> pd.DataFrame:
    """``execution_by_organisation`` of ``organisations`` (``_levelled``) given the rows of
    ``_by_owner`` (with or without keys between the path and the sums: they are added up)."""
    groups = {path: oid for oid, _, _, path in organisations}
    recorded, planned = _money_in(session, root, fiscal_year, as_of, by_source=False)
    allocated = _budget(
        [(*key, amount) for key, (amount,) in _roll_up(recorded, groups, 1).items()],
        [(*key, amount) for key, (amount,) in _roll_up(planned, groups, 1).items()],
    )
    sums = _roll_up([(row[0], *row[-2:]) for row in moved], groups, 2)
    by_group = {key[0]: tuple(values) for key, values in sums.items()}
    frame = _merge([tuple(o[:3]) for o in organisations], allocated, by_group, ["id", "organisation", "name"])
    return _rates(frame, rounding).drop(columns="id")


def execution_by_source(
    session: Session, root: Organisation, fiscal_year: int, basis: str = BUDGET,
    rounding: Rounding = TRUNCATE, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """One row per funding source (资金来源) that has money or spending under ``root``."""
    allocated = _budget(*_money_in(session, root, fiscal_year, as_of, by_source=True))
    moved = {sid: (income, spent) for sid, income, spent in session.execute(
        select(VoucherLine.funding_source_id, *_income_and_spending(basis))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .where(*_lines(root, fiscal_year, as_of), VoucherLine.funding_source_id.is_not(None))
        .group_by(VoucherLine.funding_source_id)
    )}
    used = set(allocated) | set(moved)
    sources = session.execute(
        select(FundingSource.id, FundingSource.code, FundingSource.name)
        .where(FundingSource.id.in_(used)).order_by(FundingSource.code)
    ).all()
    frame = _merge([tuple(s) for s in sources], allocated, moved, ["id", "source", "name"])
    return _rates(frame, rounding).drop(columns="id")


def _spent_by(session, column, root, fiscal_year, basis, as_of) -> dict:
    return dict(session.execute(
        select(column, _income_and_spending(basis)[1])
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .where(*_lines(root, fiscal_year, as_of), column.is_not(None))
        .group_by(column)
    ).all())


def execution_by_project(
    session: Session, root: Organisation, fiscal_year: int, basis: str = BUDGET,
    rounding: Rounding = TRUNCATE, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """One row per project under ``root`` that spent in the year: approved, spent, rate."""
    spent = _spent_by(session, VoucherLine.project_id, root, fiscal_year, basis, as_of)
    rows = session.execute(
        select(LedgerProject.id, Organisation.code, LedgerProject.code, LedgerProject.title,
               PurposeCategory.code, LedgerProject.approved_amount)
        .join(Organisation, Organisation.id == LedgerProject.organisation_id)
        .join(PurposeCategory, PurposeCategory.id == LedgerProject.purpose_id)
        .where(LedgerProject.id.in_(list(spent)) if spent else false())
        .order_by(Organisation.path, LedgerProject.code)
    ).all()
    records = [(*row[1:], spent[row[0]]) for row in rows]
    frame = pd.DataFrame.from_records(
        records, columns=["organisation", "project", "title", "purpose", "approved", "spent"]
    )
    frame["balance"] = [a - s for a, s in zip(frame["approved"], frame["spent"])]
    frame["execution_rate"] = [rounding.percent(s, a) for s, a in zip(frame["spent"], frame["approved"])]
    return frame


def execution_by_purpose(
    session: Session, root: Organisation, fiscal_year: int, basis: str = BUDGET,
    rounding: Rounding = TRUNCATE, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Spending per purpose (用途) and its share of all spending: is the use too narrow?"""
    spent = _spent_by(session, VoucherLine.purpose_id, root, fiscal_year, basis, as_of)
    rows = session.execute(
        select(PurposeCategory.id, PurposeCategory.code, PurposeCategory.name)
        .where(PurposeCategory.id.in_(list(spent)) if spent else false())
        .order_by(PurposeCategory.code)
    ).all()
    total = sum(spent.values(), ZERO)
    records = [(code, name, spent[pid], rounding.percent(spent[pid], total)) for pid, code, name in rows]
    return pd.DataFrame.from_records(records, columns=["purpose", "name", "spent", "share"])


def community_overview(
    session: Session, root: Organisation, fiscal_year: int, basis: str = BUDGET,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Each community's own income, spending by purpose and balance (分社区、按用途).

    One row per community under ``root`` (a street, usually), one column per purpose that
    has spending anywhere under it, then total spent and balance.
    """
    communities = _levelled(session, root, "community")
    moved = _by_owner(session, root, fiscal_year, basis, as_of, VoucherLine.purpose_id)
    by_purpose = _roll_up(moved, {path: code for _, code, _, path in communities}, 2)
    used = {purpose_id for _, purpose_id in by_purpose if purpose_id is not None}
    names = dict(session.execute(
        select(PurposeCategory.id, PurposeCategory.name).where(PurposeCategory.id.in_(used))
    ).all()) if used else {}
    by_key: dict = {}
    for (code, purpose_id), (_, spent) in by_purpose.items():
        key = (code, names.get(purpose_id))
        by_key[key] = by_key.get(key, ZERO) + spent
    frame = _execution_frame(session, root, fiscal_year, communities, moved, TRUNCATE, as_of)
    frame = frame[["organisation", "name", "arrived"]].rename(columns={"arrived": "income"})
    purposes = sorted({name for (_, name), spent in by_key.items() if name is not None and spent})
    for name in purposes:
        frame[name] = [by_key.get((code, name), ZERO) for code in frame["organisation"]]
    frame["spent"] = [sum((by_key.get((c, n), ZERO) for n in purposes), ZERO) for c in frame["organisation"]]
    frame["balance"] = [i - s for i, s in zip(frame["income"], frame["spent"])]
    return frame
