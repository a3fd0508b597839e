"""The three imports: opening balances (期初余额), allocations (拨款) and historical vouchers.

Each reads a CSV or .xlsx file whose columns ``docs/IMPORT.md`` lists, checks every cell,
then posts through the ordinary posting functions (numbering, hash chain, balance per
basis, budget control, negative list), all or nothing. Each returns an ``ImportReport``.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from sqlalchemy.orm import Session

from ..accounts import chart_of
from ..allocations import record_allocation
from ..batches import post_batch
from ..clerks import Clerks, post_draft, post_through
from ..dimensions import funding_source
from ..errors import N_
from ..organisations import ImportReport
from ..vouchers import OPENING_PREFIX, LineDraft, VoucherDraft
from . import cells
from .batch import Entry, Errors, book_for, books_for, organisation, prefetch_organisations, run_import

ALIASES = {
    "单位": "organisation", "社区": "organisation", "单位编码": "organisation", "年度": "fiscal_year",
    "科目": "account", "科目编码": "account", "借方": "debit", "贷方": "credit",
    "资金来源": "source", "备注": "memo", "金额": "amount", "到账日期": "arrived_on",
    "文号": "reference", "记账日期": "date", "日期": "date", "请求键": "key", "凭证号": "voucher",
    "摘要": "description", "项目": "project", "用途": "purpose",
}
BALANCE_SHEET = ("asset", "liability", "net_assets", "fund_balance")

OPENING_COLUMNS = ("organisation", "fiscal_year", "account", "debit", "credit", "source", "memo")
ALLOCATION_COLUMNS = ("organisation", "source", "amount", "arrived_on", "reference", "date", "key")
VOUCHER_COLUMNS = ("organisation", "voucher", "date", "description", "account", "debit", "credit",
                   "project", "purpose", "source", "memo")


def _sides(row, errors: Errors):
    debit = errors.check(row, cells.amount, row["debit"], "debit", True)
    credit = errors.check(row, cells.amount, row["credit"], "credit", True)
    if debit is not None and credit is not None and (debit > 0) == (credit > 0):
        errors.add(row, "debit", N_("Give either a debit or a credit above zero on each row, not both or neither."))
        return None
    return debit, credit


def _source(session, row, errors: Errors, required: bool = False) -> str | None:
    code = row["source"]
    if not code:
        if required:
            errors.add(row, "source", N_("source is required."))
        return None
    if errors.lookup("source", code, lambda: funding_source(session, code)) is None:
        errors.add(row, "source", N_("Funding source %(code)s does not exist."), code=code)
    return code


def import_opening_balances(
    session: Session, data: bytes, filename: str, clerks: Clerks, within: list[str] | None = None
) -> ImportReport:
    """One opening voucher (期初) per organisation and year, dated 1 January, from its rows."""
    def parse(rows, errors):
        prefetch_organisations(session, errors, rows)
        entries: OrderedDict = OrderedDict()
        for row in rows:
            org = organisation(session, errors, row, within)
            year = errors.check(row, cells.year, row["fiscal_year"], "fiscal_year")
            sides = _sides(row, errors)
            source = _source(session, row, errors)
            if org is None or year is None:
                continue
            account = chart_of(session, org.ancestor_at("city")).account(row["account"])
            if account is None or account.category not in BALANCE_SHEET:
                errors.add(row, "account", N_("Account %(account)r is not an asset, liability, net-asset or "
                                              "fund-balance account of the chart."), account=row["account"])
                continue
            entry = entries.setdefault((org.id, year), Entry([], {"org": org, "year": year, "lines": []}))
            entry.rows.append(row)
            if sides:
                entry.values["lines"].append(LineDraft(account.code, *sides, source=source, memo=row["memo"]))
        return list(entries.values())

    def post(entry):
        org, year = entry.values["org"], entry.values["year"]
        book = book_for(session, org, year, clerks.poster)
        draft = VoucherDraft(_jan_first(year), f"{year}年期初余额导入", tuple(entry.values["lines"]),
                             f"{OPENING_PREFIX}import:{book.id}")
        post_draft(session, book, draft, clerks, system=True)

    return run_import(session, data, filename, OPENING_COLUMNS,
                      ("organisation", "fiscal_year", "account", "debit", "credit"), ALIASES, parse, post)


def _jan_first(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def import_allocations(
    session: Session, data: bytes, filename: str, clerks: Clerks, within: list[str] | None = None
) -> ImportReport:
    """One allocation per row, booked in the year of its ``date`` (default: ``arrived_on``)."""
    def parse(rows, errors):
        prefetch_organisations(session, errors, rows)
        entries = []
        for row in rows:
            org = organisation(session, errors, row, within)
            source = _source(session, row, errors, required=True)
            amount = errors.check(row, cells.amount, row["amount"], "amount")
            arrived = errors.check(row, cells.date, row["arrived_on"], "arrived_on")
            on = errors.check(row, cells.date, row["date"], "date") if row["date"] else arrived
            if amount is not None and amount <= 0:
                errors.add(row, "amount", N_("amount must be above zero."))
            if None not in (org, source, amount, arrived, on):
                key = row["key"] or (f"import:allocation:{org.code}:{row['reference']}" if row["reference"] else None)
                entries.append(Entry([row], dict(org=org, source=source, amount=amount, arrived=arrived,
                                                 on=on, reference=row["reference"], key=key)))
        return entries

    def post(entry):
        v = entry.values
        book = book_for(session, v["org"], v["on"].year, clerks.poster)
        allocation = record_allocation(
            session, book, funding_source(session, v["source"]), v["amount"], v["arrived"],
            by=clerks.preparer, reference=v["reference"], key=v["key"], on=v["on"])
        post_through(session, allocation.voucher, clerks)

    return run_import(session, data, filename, ALLOCATION_COLUMNS,
                      ("organisation", "source", "amount", "arrived_on"), ALIASES, parse, post)


def import_vouchers(
    session: Session, data: bytes, filename: str, clerks: Clerks, within: list[str] | None = None
) -> ImportReport:
    """Historical vouchers: the rows sharing ``organisation`` and ``voucher`` make one voucher."""
    def parse(rows, errors):
        prefetch_organisations(session, errors, rows)
        entries: OrderedDict = OrderedDict()
        for row in rows:
            org = organisation(session, errors, row, within)
            reference = errors.check(row, cells.required, row["voucher"], "voucher")
            on = errors.check(row, cells.date, row["date"], "date")
            errors.check(row, cells.required, row["account"], "account")
            sides = _sides(row, errors)
            source = _source(session, row, errors)
            if None in (org, reference, on):
                continue
            entry = entries.get((org.id, reference))
            if entry is None:
                entry = entries[org.id, reference] = Entry([], dict(
                    org=org, on=on, description=row["description"], lines=[],
                    key=f"import:voucher:{org.code}:{reference}"))
            elif (on, row["description"]) != (entry.values["on"], entry.values["description"]):
                errors.add(row, "date", N_("Rows of voucher %(voucher)s must share its date and description "
                                           "(line %(first)s)."), voucher=reference, first=entry.rows[0].line)
            entry.rows.append(row)
            if sides:
                entry.values["lines"].append(LineDraft(
                    row["account"], *sides, project=row["project"] or None, purpose=row["purpose"] or None,
                    source=source, memo=row["memo"]))
        return list(entries.values())

    def post_all(entries):
        books = books_for(session, {(e.values["org"], e.values["on"].year) for e in entries}, clerks.poster)
        post_batch(session, [
            (books[v["org"].id, v["on"].year], VoucherDraft(v["on"], v["description"], tuple(v["lines"]), v["key"]))
            for v in (entry.values for entry in entries)
        ], clerks)

    return run_import(session, data, filename, VOUCHER_COLUMNS,
                      ("organisation", "voucher", "date", "description", "account", "debit", "credit"),
                      ALIASES, parse, post_all=post_all)
