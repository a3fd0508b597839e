"""Running an import all or nothing, and turning every refusal into a row of the report.

A file is read and every cell checked first, without touching the database; only a
file with no wrong cell is posted, inside a savepoint that is rolled back at the first
refusal of a posting rule, so nothing of the file stays. A refusal about
``lines[2].debit`` of a voucher points at that voucher's third row, column ``debit``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..batches import BatchRefusal
from ..books import Book, open_book
from ..errors import DomainError, N_
from ..organisations import ImportReport, Organisation, RowError
from .cells import CellError
from .files import FileError, Row, read_rows

LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


@dataclass
class Entry:
    """What one voucher (or allocation) of the file will post, and the rows it came from."""

    rows: list[Row]
    values: dict = field(default_factory=dict)

    def error(self, error: DomainError) -> RowError:
        """The report row of a refusal: the line and column it is about."""
        match = LINE_FIELD.match(error.field or "")
        if match and int(match.group(1)) < len(self.rows):
            column = {"source": "source", "account": "account"}.get(match.group(2), match.group(2))
            return RowError(self.rows[int(match.group(1))].line, column, error.template, error.params)
        return RowError(self.rows[0].line, error.field, error.template, error.params)


class Errors(list):
    """The row errors found while checking a file's cells; ``known`` remembers what the
    rows name (organisations, funding sources), looked up once per file."""

    def __init__(self):
        super().__init__()
        self.known: dict = {}

    def lookup(self, kind: str, code: str, load: Callable):
        if (kind, code) not in self.known:
            self.known[kind, code] = load()
        return self.known[kind, code]

    def check(self, row: Row, read: Callable, *args):
        """``read(*args)``, or ``None`` with the refusal noted against ``row``."""
        try:
            return read(*args)
        except CellError as error:
            self.append(RowError.of(row.line, error))
            return None

    def add(self, row: Row, column: str | None, template: str, **params) -> None:
        self.append(RowError(row.line, column, template, params))


def prefetch_organisations(session: Session, errors: Errors, rows: list[Row]) -> None:
    """Look up every organisation the rows name in one query (``organisation`` reads them)."""
    codes = {row["organisation"] for row in rows if row["organisation"]}
    found = {org.code: org for org in session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
    errors.known.update({("organisation", code): found.get(code) for code in codes})


def books_for(session: Session, wanted: set[tuple[Organisation, int]], by) -> dict[tuple[int, int], Book]:
    """The books of each (organisation, fiscal year), read in one query, opened if missing."""
    ids = {org.id for org, _ in wanted}
    found = {(b.organisation_id, b.fiscal_year): b for b in session.scalars(
        select(Book).where(Book.organisation_id.in_(ids), Book.fiscal_year.in_({year for _, year in wanted})))}
    for org, year in sorted(wanted, key=lambda pair: (pair[0].id, pair[1])):
        if (org.id, year) not in found:
            found[org.id, year] = open_book(session, org, year, by=by)
    return found


def organisation(session: Session, errors: Errors, row: Row, within: list[str] | None) -> Organisation | None:
    """The organisation a row names, if it keeps books and lies within the importer's scope."""
    code = row["organisation"]
    if not code:
        errors.add(row, "organisation", N_("organisation is required."))
        return None
    org = errors.lookup("organisation", code,
                        lambda: session.scalar(select(Organisation).where(Organisation.code == code)))
    if org is None or org.level not in ("community", "street"):
        errors.add(row, "organisation", N_("Organisation %(code)s is not a community or street that keeps books."),
                   code=code)
        return None
    if within is not None and not any(org.path.startswith(path) for path in within):
        errors.add(row, "organisation", N_("%(code)s lies outside the organisations you manage."), code=code)
        return None
    return org


def book_for(session: Session, org: Organisation, fiscal_year: int, by) -> Book:
    """The organisation's book of the year, opened if it does not exist yet."""
    book = session.scalar(select(Book).where(Book.organisation_id == org.id, Book.fiscal_year == fiscal_year))
    return book or open_book(session, org, fiscal_year, by=by)


def run_import(
    session: Session, data: bytes, filename: str, columns, required, aliases,
    parse: Callable[[list[Row], Errors], list[Entry]],
    post: Callable[[Entry], None] | None = None,
    post_all: Callable[[list[Entry]], None] | None = None,
) -> ImportReport:
    """Read, check, then post every entry, or nothing, and say which rows were wrong.

    ``post`` posts one entry; ``post_all`` posts them all at once and names a refused
    entry by raising ``BatchRefusal`` with its index."""
    report = ImportReport()
    try:
        rows = read_rows(data, filename, columns, required, aliases)
    except FileError as error:
        report.errors.append(RowError.of(1, error))
        return report
    errors = Errors()
    entries = parse(rows, errors)
    if errors:
        report.errors = sorted(errors, key=lambda e: e.line)
        return report
    savepoint = session.begin_nested()
    entry = None
    try:
        if post_all is not None:
            try:
                post_all(entries)
            except BatchRefusal as refusal:
                entry = entries[refusal.index]
                raise refusal.error from None
            report.created = len(entries)
        else:
            for entry in entries:
                post(entry)
                report.created += 1
    except DomainError as error:
        savepoint.rollback()
        report.created = 0
        report.errors.append(entry.error(error) if entry else RowError.of(1, error))
        return report
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return report

