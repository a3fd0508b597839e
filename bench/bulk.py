"""Loading the bulk of a large city's vouchers with COPY (PostgreSQL only), posted and chained.

The import path posts some 10-50 vouchers a second on a shared 2-core machine, so a
million would take a day. For the scales above ``tiny`` the generator sends the first
vouchers through ``ledger/imports`` and writes the rest here: the same rows the service
would write (numbers continuing each book's sequence, ``previous_hash`` and ``hash``
computed by ``ledger.chain`` exactly as posting computes them, the request digest of the
same draft), with the immutability triggers switched off for the load
(``session_replication_role = replica``, superuser only), and the running totals of
``ledger.totals``, which those triggers keep, recomputed after it. Afterwards ``check_loaded``
proves, in SQL, that no budget limit was passed and every voucher balances, and a
sample of books is re-verified with ``ledger.verify``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledger.accounts import Account
from ledger.books import Book, open_book
from ledger.chain import request_digest, voucher_hash
from ledger.dimensions import FundingSource, PurposeCategory
from ledger.organisations import Organisation
from ledger.projects import LedgerProject
from ledger.totals import rebuild_totals
from ledger.verify import verify_book
from ledger.vouchers import LineDraft, VoucherDraft

from .planned import PlannedVoucher

VOUCHER_COLUMNS = ("id", "book_id", "voucher_date", "period", "description", "idempotency_key", "request_digest",
                   "status", "number", "hash", "previous_hash", "prepared_by_id", "prepared_at",
                   "reviewed_by_id", "reviewed_at", "posted_by_id", "posted_at")
LINE_COLUMNS = ("id", "voucher_id", "position", "account_id", "debit", "credit", "organisation_id", "project_id",
                "purpose_id", "funding_source_id", "memo")


def _code(value):
    return SimpleNamespace(code=value) if value else None


def _next_ids(session: Session) -> tuple[int, int]:
    return tuple(session.execute(text(
        "SELECT coalesce((SELECT max(id) FROM vouchers), 0) + 1, coalesce((SELECT max(id) FROM voucher_lines), 0) + 1"
    )).one())


class _Books:
    """Each book's next number and last hash, opened on first use."""

    def __init__(self, session: Session, clerks):
        self.session, self.clerks, self.books = session, clerks, {}
        rows = session.execute(text(
            "SELECT b.id, o.code, b.fiscal_year, v.number, v.hash FROM books b "
            "JOIN organisations o ON o.id = b.organisation_id LEFT JOIN vouchers v ON v.book_id = b.id "
            "AND v.status = 'posted' AND v.number = (SELECT max(number) FROM vouchers w "
            "WHERE w.book_id = b.id AND w.status = 'posted')"))
        for book_id, code, year, number, last_hash in rows:
            self.books[code, year] = [book_id, number or 0, last_hash]

    def get(self, organisation: Organisation, year: int) -> list:
        key = (organisation.code, year)
        if key not in self.books:
            book = open_book(self.session, organisation, year, by=self.clerks.poster)
            self.books[key] = [book.id, 0, None]
        return self.books[key]


def build_rows(session: Session, vouchers, clerks) -> tuple[list[tuple], list[tuple]]:
    """The ``vouchers`` and ``voucher_lines`` rows of ``vouchers`` (``PlannedVoucher``) as posted.

    Numbers continue each book's sequence and hashes its chain, as ``post_voucher`` would.
    """
    organisations = {o.code: o for o in session.scalars(select(Organisation))}
    city = next(o for o in organisations.values() if o.level == "city")
    accounts = {a.code: a.id for a in session.scalars(select(Account))}
    sources = {s.code: s.id for s in session.scalars(select(FundingSource))}
    purposes = {p.code: p.id for p in session.scalars(select(PurposeCategory).where(PurposeCategory.city_id == city.id))}
    projects = {(p.organisation_id, p.code): p.id for p in session.scalars(select(LedgerProject))}
    books = _Books(session, clerks)
    session.flush()
    voucher_id, line_id = _next_ids(session)
    people = [SimpleNamespace(id=c.id) for c in clerks]
    voucher_rows, line_rows = [], []
    for planned in vouchers:
        org = organisations[planned.organisation]
        entry = books.get(org, planned.date.year)
        book_id, number, previous = entry
        number += 1
        at = dt.datetime.combine(planned.date, dt.time(9, 0), dt.timezone.utc)
        key = planned.key or f"import:voucher:{org.code}:{planned.reference}"
        drafts = tuple(LineDraft(a, d or 0, c or 0, p, u, s, m) for a, d, c, p, u, s, m in planned.lines)
        digest = request_digest(book_id, VoucherDraft(planned.date, planned.description, drafts, key))
        lines = [SimpleNamespace(position=i, account=SimpleNamespace(code=a), debit=d or 0, credit=c or 0,
                                 organisation=org, project=_code(p), purpose=_code(u), funding_source=_code(s), memo=m)
                 for i, (a, d, c, p, u, s, m) in enumerate(planned.lines, start=1)]
        shape = SimpleNamespace(
            book=SimpleNamespace(organisation=org, fiscal_year=planned.date.year), number=number, date=planned.date,
            period=planned.date.month, description=planned.description, reverses=None, prepared_by=people[0],
            reviewed_by=people[1], posted_by=people[2], posted_at=at, lines=lines)
        hashed = voucher_hash(shape, previous)
        voucher_rows.append((voucher_id, book_id, planned.date, planned.date.month, planned.description, key, digest,
                             "posted", number, hashed, previous, people[0].id, at, people[1].id, at, people[2].id, at))
        for line, (a, d, c, p, u, s, m) in zip(lines, planned.lines):
            line_rows.append((line_id, voucher_id, line.position, accounts[a], d or 0, c or 0, org.id,
                              projects.get((org.id, p)) if p else None, purposes[u] if u else None,
                              sources[s] if s else None, m))
            line_id += 1
        entry[1], entry[2] = number, hashed
        voucher_id += 1
    session.flush()
    return voucher_rows, line_rows


def copy_rows(cursor, voucher_rows, line_rows, tables=("vouchers", "voucher_lines")) -> None:
    """COPY the rows of ``build_rows`` into ``tables`` (psycopg cursor)."""
    with cursor.copy(f"COPY {tables[0]} ({', '.join(VOUCHER_COLUMNS)}) FROM STDIN") as copy:
        for row in voucher_rows:
            copy.write_row(row)
    with cursor.copy(f"COPY {tables[1]} ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
        for row in line_rows:
            copy.write_row(row)


def insert_rows(cursor, voucher_rows, line_rows, tables=("vouchers", "voucher_lines")) -> None:
    """The same rows with one INSERT statement each (psycopg ``executemany``)."""
    marks = ", ".join(["%s"] * len(VOUCHER_COLUMNS))
    cursor.executemany(f"INSERT INTO {tables[0]} ({', '.join(VOUCHER_COLUMNS)}) VALUES ({marks})", voucher_rows)
    marks = ", ".join(["%s"] * len(LINE_COLUMNS))
    cursor.executemany(f"INSERT INTO {tables[1]} ({', '.join(LINE_COLUMNS)}) VALUES ({marks})", line_rows)


def copy_vouchers(session: Session, vouchers, clerks) -> int:
    """COPY ``vouchers`` (``PlannedVoucher``) in as posted, each book's chain continued."""
    voucher_rows, line_rows = build_rows(session, vouchers, clerks)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # the triggers refuse posted inserts
        copy_rows(cursor, voucher_rows, line_rows)
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SELECT setval(pg_get_serial_sequence('vouchers', 'id'), (SELECT max(id) FROM vouchers))")
        cursor.execute("SELECT setval(pg_get_serial_sequence('voucher_lines', 'id'), (SELECT max(id) FROM voucher_lines))")
    rebuild_totals(session.connection())  # the triggers that keep them were off
    return len(voucher_rows)


def copy_structure(session: Session, plan, clerks) -> None:
    """The projects (approved, open for spending) and the allocations (posted) of ``plan``."""
    from ledger.allocations import allocation_lines

    organisations = {o.code: o.id for o in session.scalars(select(Organisation))}
    city = session.scalar(select(Organisation).where(Organisation.code == plan.city))
    purposes = {p.code: p.id for p in session.scalars(select(PurposeCategory).where(PurposeCategory.city_id == city.id))}
    now = dt.datetime.now(dt.timezone.utc)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy("COPY ledger_projects (organisation_id, code, title, purpose_id, approved_amount, "
                         "approved_at, spending_open, closed) FROM STDIN") as copy:
            for p in plan.projects:
                copy.write_row((organisations[p.organisation], p.code, p.title, purposes[p.purpose], p.amount, now,
                                True, False))
    sources = {s.code: s for s in session.scalars(select(FundingSource))}
    vouchers = []
    for a in plan.allocations:
        source, amount, day = sources[a["source"]], Decimal(a["amount"]), dt.date.fromisoformat(a["arrived_on"])
        lines = [(line.account, line.debit or None, line.credit or None, None, None, line.source, "")
                 for line in allocation_lines(source, amount)]
        vouchers.append(PlannedVoucher(a["organisation"], a["reference"], day,
                                       f"收到{source.name}拨款 {a['reference']}", lines,
                                       key=f"import:allocation:{a['organisation']}:{a['reference']}"))
    voucher_rows, line_rows = build_rows(session, vouchers, clerks)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        copy_rows(cursor, voucher_rows, line_rows)
        cursor.execute("SET LOCAL session_replication_role = origin")
        with cursor.copy("COPY allocations (book_id, funding_source_id, amount, arrived_on, reference, voucher_id, "
                         "recorded_by_id, recorded_at) FROM STDIN") as copy:
            for a, row in zip(plan.allocations, voucher_rows):
                copy.write_row((row[1], sources[a["source"]].id, Decimal(a["amount"]), a["arrived_on"],
                                a["reference"], row[0], clerks.preparer.id, now))
        for table in ("vouchers", "voucher_lines"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    rebuild_totals(session.connection())  # the triggers that keep them were off


def check_loaded(session: Session, sample: int = 5) -> list[str]:
    """What the COPY load broke, if anything: budgets, balance per basis, a sample of chains."""
    problems = [f"project {code} overspent: {spent} > {approved}" for code, spent, approved in session.execute(text(
        "SELECT p.code, sum(l.debit - l.credit), p.approved_amount FROM voucher_lines l "
        "JOIN accounts a ON a.id = l.account_id JOIN ledger_projects p ON p.id = l.project_id "
        "WHERE a.category = 'budget_expenditure' GROUP BY p.id, p.code, p.approved_amount "
        "HAVING sum(l.debit - l.credit) > p.approved_amount"))]
    problems += [f"organisation {org} source {src} spent {spent} of {received}" for org, src, spent, received in
                 session.execute(text(
                     "SELECT l.organisation_id, l.funding_source_id, "
                     "sum(CASE WHEN a.category = 'budget_expenditure' THEN l.debit - l.credit ELSE 0 END), "
                     "sum(CASE WHEN a.category = 'budget_revenue' THEN l.credit - l.debit ELSE 0 END) "
                     "FROM voucher_lines l JOIN accounts a ON a.id = l.account_id "
                     "WHERE l.funding_source_id IS NOT NULL GROUP BY 1, 2 "
                     "HAVING sum(CASE WHEN a.category = 'budget_expenditure' THEN l.debit - l.credit ELSE 0 END) > "
                     "sum(CASE WHEN a.category = 'budget_revenue' THEN l.credit - l.debit ELSE 0 END)"))]
    problems += [f"voucher {vid} does not balance on {basis}" for vid, basis in session.execute(text(
        "SELECT l.voucher_id, a.basis FROM voucher_lines l JOIN accounts a ON a.id = l.account_id "
        "GROUP BY 1, 2 HAVING sum(l.debit) <> sum(l.credit) LIMIT 10"))]
    books = session.scalars(select(Book).order_by(Book.id)).all()
    step = max(1, len(books) // sample)
    for book in books[::step][:sample]:
        problems += [str(p) for p in verify_book(session, book)]
    return problems
