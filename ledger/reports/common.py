"""What every report (报表) shares: which books it covers, money sums in SQL, rates.

A report covers a *scope*: one book, a list of books, or an organisation with every
book kept below it (a community, a street, a district or a whole city) for one fiscal
year. Sums are computed by the database; ``Money`` is re-applied to every aggregate so
that SQLite's integer fen come back as CNY, exactly as PostgreSQL's ``NUMERIC`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sqlalchemy import Boolean, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..base import MONEY, money_sum  # noqa: F401  (the reports' money, from below)
from ..books import Book
from ..errors import DomainError, N_
from ..organisations import Organisation
from ..vouchers import (  # noqa: F401  (one set of prefixes for budget control and reports)
    CLOSING_PREFIX, OPENING_PREFIX, POSTED, Voucher, VoucherLine, is_closing, is_opening, net_debit,
)

ZERO = Decimal("0.00")

Scope = Organisation | Book | Iterable[Book]


class ReportError(DomainError):
    """A report that cannot be produced as asked (unknown level, wrong scope...)."""


def books_in_scope(scope: Scope, fiscal_year: int | None = None):
    """A ``select`` of the ids of the books a report covers.

    An organisation covers every book kept at or below it (by its tree path); a book or
    a list of books covers exactly those. ``fiscal_year`` limits an organisation's books
    to one year; it is ignored for explicit books.
    """
    if isinstance(scope, Organisation):
        query = select(Book.id).join(Organisation, Organisation.id == Book.organisation_id).where(
            under(Organisation.path, scope.path)
        )
        return query.where(Book.fiscal_year == in_sql(fiscal_year)) if fiscal_year else query
    books = [scope] if isinstance(scope, Book) else list(scope)
    if not books:
        raise ReportError(N_("A report needs at least one book."), field="books")
    return select(Book.id).where(Book.id.in_([b.id for b in books]))


class _StartsWith(FunctionElement):
    """``path`` starts with ``prefix``, exactly: no ``LIKE`` wildcard, case counts."""

    type = Boolean()
    name = "starts_with"
    inherit_cache = True


@compiles(_StartsWith)
def _starts_with(element, compiler, **kw):
    path, prefix = element.clauses
    return compiler.process(func.substr(path, 1, func.length(prefix)) == prefix, **kw)


@compiles(_StartsWith, "postgresql")
def _starts_with_postgresql(element, compiler, **kw):
    # PostgreSQL's own starts_with() has a selectivity estimate; the substr() form is
    # guessed at 0.5 % of the rows, so a whole city's books were planned as ten and read
    # through 200,000 nested index scans (bench/README.md).
    path, prefix = element.clauses
    return f"starts_with({compiler.process(path, **kw)}, {compiler.process(prefix, **kw)})"


def under(path_column, prefix):
    """``path_column`` starts with ``prefix``: exact, unlike ``LIKE`` with ``_`` in a code.

    A ``prefix`` given as a string is written into the SQL (``in_sql``)."""
    return _StartsWith(path_column, in_sql(prefix) if isinstance(prefix, str) else prefix)


def in_sql(value):
    """``value`` written into the statement's text rather than sent as a parameter.

    For the scope of a report (its path prefix and fiscal year). psycopg prepares a statement
    once it has run five times, and five runs later PostgreSQL may keep for it a *generic*
    plan, made without the parameters' values: the same report of a city then guessed its
    2,000 books as ten and read 800,000 lines through 200,000 nested index scans (3.6 s
    instead of 0.6 s; bench/README.md). With the scope in the text, each scope has its own statement and
    every plan is made knowing which books it covers. Only the scope is inlined: a path of
    organisation codes and a year, which the compiler renders as quoted literals.
    """
    return literal(value, literal_execute=True)


def posted_lines(scope: Scope, fiscal_year: int | None = None):
    """Conditions on ``Voucher``/``VoucherLine`` for the posted lines of the scope."""
    return (
        Voucher.status == POSTED,
        Voucher.book_id.in_(books_in_scope(scope, fiscal_year)),
    )


@dataclass(frozen=True)
class Rounding:
    """How a rate is shown: ``places`` decimals of a percent, truncated or rounded half up.

    Published evaluations truncate (8,988,025.24 / 9,200,000 is shown as 97.69 %), so
    truncation is the default; ``Rounding("half_up")`` shows 97.70 %.
    """

    mode: str = "truncate"
    places: int = 2

    def __post_init__(self):
        if self.mode not in ("truncate", "half_up"):
            raise ReportError(
                N_("Rounding %(mode)r is unknown: use truncate or half_up."), field="rounding",
                mode=self.mode,
            )
        if not 0 <= self.places <= 6:
            raise ReportError(
                N_("A rate is shown with 0 to 6 decimals, not %(places)s."), field="rounding",
                places=self.places,
            )

    def percent(self, numerator: Decimal, denominator: Decimal) -> Decimal | None:
        """``numerator / denominator`` as a percentage, or ``None`` when nothing was budgeted."""
        if not denominator:
            return None
        exact = Decimal(numerator) * 100 / Decimal(denominator)
        step = Decimal(1).scaleb(-self.places)
        return exact.quantize(step, rounding=ROUND_DOWN if self.mode == "truncate" else ROUND_HALF_UP)


TRUNCATE = Rounding()
