"""Books (账簿): one per community (or street pool) per fiscal year, with monthly periods.

The street office keeps a separate set of books for every community (分社区建账) and one
for its own pool. A fiscal year is the calendar year; its twelve periods (会计期间) are
closed in order (结账), and a closed period accepts no posting.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .accounts import Account, Chart, chart_of
from .base import Base, utcnow
from .errors import DomainError, N_
from .organisations import Organisation
from .users import User

BOOK_LEVELS = ("community", "street")


class BookError(DomainError):
    """A book or period that cannot be opened or closed as asked."""


class PeriodClosed(BookError):
    """A voucher dated in a period that is already closed."""


class Book(Base):
    """The books (账簿) of one community, or of a street's own pool, for one fiscal year."""

    __tablename__ = "books"
    __table_args__ = (
        UniqueConstraint("organisation_id", "fiscal_year"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2999", name="fiscal_year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    fiscal_year: Mapped[int]
    chart_id: Mapped[int] = mapped_column(ForeignKey("charts.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    chart: Mapped[Chart] = relationship()
    periods: Mapped[list[Period]] = relationship(
        back_populates="book", order_by="Period.month", cascade="all, delete-orphan"
    )

    def account(self, code: str) -> Account | None:
        """The account ``code`` of this book's chart."""
        return self.chart.account(code)

    def period(self, month: int) -> Period:
        return self.periods[month - 1]

    @property
    def label(self) -> str:
        """How a message names the book: organisation code and year."""
        return f"{self.organisation.code}/{self.fiscal_year}"

    def __repr__(self) -> str:
        return f"<Book {self.label}>"


class Period(Base):
    """One month (会计期间) of a book; closing it (结账) records who and when."""

    __tablename__ = "ledger_periods"
    __table_args__ = (
        UniqueConstraint("book_id", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_in_year"),
        CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closed_by_whom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    month: Mapped[int]
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    book: Mapped[Book] = relationship(back_populates="periods")
    closed_by: Mapped[User | None] = relationship()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


def open_book(
    session: Session,
    organisation: Organisation,
    fiscal_year: int,
    chart: Chart | None = None,
    by: User | None = None,
) -> Book:
    """Open the books of a community (or a street's pool) for ``fiscal_year``.

    The chart defaults to the city's chart. Opening twice is refused rather than
    returning the existing book, so a typo in the year cannot go unnoticed.
    """
    if organisation.level not in BOOK_LEVELS:
        raise BookError(
            N_("Books are kept for a community or a street, not a %(level)s."),
            field="organisation", level=organisation.level,
        )
    city = organisation.ancestor_at("city")
    chart = chart or (chart_of(session, city) if city else None)
    if chart is None:
        raise BookError(
            N_("The city of %(organisation)s has no chart of accounts."),
            field="chart", organisation=organisation.code,
        )
    if city is None or chart.city_id != city.id:
        raise BookError(
            N_("Chart %(chart)s belongs to another city."), field="chart", chart=chart.name
        )
    existing = session.scalar(
        select(Book).where(Book.organisation_id == organisation.id, Book.fiscal_year == fiscal_year)
    )
    if existing is not None:
        raise BookError(
            N_("Books %(book)s are already open."), field="fiscal_year", book=existing.label
        )
    book = Book(
        organisation=organisation, fiscal_year=fiscal_year, chart=chart, opened_by_id=by and by.id,
        periods=[Period(month=m) for m in range(1, 13)],
    )
    session.add(book)
    session.flush()
    return book


def period_for(book: Book, date: dt.date, fresh: Session | None = None) -> Period:
    """The open period of ``book`` that ``date`` falls in, or a refusal saying why not.

    ``fresh``: read the period from the database through this session, as posting does
    under the book's lock (a clerk may have closed it since it was loaded)."""
    check_in_year(book, date)
    period = book.period(date.month) if fresh is None else fresh.scalars(
        select(Period).where(Period.book_id == book.id, Period.month == date.month)
        .execution_options(populate_existing=True)
    ).one()
    check_open(book, date, period.is_closed)
    return period


def check_in_year(book: Book, date: dt.date) -> None:
    """Refuse a ``date`` outside the book's fiscal year."""
    if date.year != book.fiscal_year:
        raise BookError(
            N_("Date %(date)s is outside fiscal year %(year)s of books %(book)s."),
            field="date", date=date.isoformat(), year=book.fiscal_year, book=book.label,
        )


def check_open(book: Book, date: dt.date, closed: bool) -> None:
    """Refuse a posting dated ``date`` when its period is ``closed``."""
    if closed:
        raise PeriodClosed(
            N_("Period %(year)s-%(month)02d of books %(book)s is closed: no posting dated %(date)s."),
            field="date", year=book.fiscal_year, month=date.month, book=book.label,
            date=date.isoformat(),
        )
