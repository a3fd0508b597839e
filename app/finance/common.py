"""What the finance pages share: loading books and vouchers within the user's scope,
the choices of a voucher line, downloads."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort
from flask_login import current_user
from sqlalchemy import select

from ledger.accounts import Account
from ledger.books import Book
from ledger.dimensions import FundingSource, PurposeCategory
from ledger.organisations import Organisation
from ledger.projects import LedgerProject
from ledger.reports.export import to_csv_bytes, to_xlsx_bytes
from ledger.vouchers import Voucher

from ..auth.access import org_filter, require
from ..extensions import db
from ..routing import id_or_none


def books_in_scope(action: str = "books.view"):
    """A ``select`` of the books the user may ``action``, by organisation then year."""
    return (
        select(Book).join(Organisation, Organisation.id == Book.organisation_id)
        .where(org_filter(current_user, action))
        .order_by(Organisation.path, Book.fiscal_year.desc())
    )


def load_book(book_id: int, action: str = "books.view") -> Book:
    book = db.get_or_404(Book, book_id)
    require(action, book.organisation)
    return book


def load_voucher(voucher_id: int, action: str = "books.view") -> Voucher:
    voucher = db.get_or_404(Voucher, voucher_id)
    require(action, voucher.book.organisation)
    return voucher


def load_organisation(org_id, action: str = "books.view") -> Organisation:
    """The organisation whose id a page was sent (404 for any text that is no such id)."""
    number = id_or_none(org_id)
    org = db.session.get(Organisation, number) if number is not None else None
    if org is None:
        abort(404)
    require(action, org)
    return org


def leaf_accounts(book: Book) -> list[Account]:
    """The accounts a line may post to: active, without active sub-accounts."""
    return [a for a in book.chart.accounts if a.is_active and not any(c.is_active for c in a.children)]


def line_choices(book: Book) -> dict[str, list[tuple[str, str]]]:
    """``(value, label)`` choices of each select of a voucher line, empty first."""
    blank = [("", "—")]
    city = book.organisation.ancestor_at("city")
    projects = db.session.scalars(
        select(LedgerProject).where(LedgerProject.organisation_id == book.organisation_id)
        .order_by(LedgerProject.code)
    ).all()
    purposes = db.session.scalars(
        select(PurposeCategory).where(PurposeCategory.city_id == city.id, PurposeCategory.is_active.is_(True))
        .order_by(PurposeCategory.listed.desc(), PurposeCategory.code)
    ).all()
    sources = db.session.scalars(
        select(FundingSource).where(FundingSource.is_active.is_(True)).order_by(FundingSource.code)
    ).all()
    from flask_babel import gettext as _

    return {
        "account": blank + [(a.code, f"{a.code} {a.name}") for a in leaf_accounts(book)],
        "project": blank + [(p.code, f"{p.code} {p.title}") for p in projects],
        "purpose": blank + [
            (p.code, p.name + (_(" (negative list)") if p.is_negative else "")) for p in purposes
        ],
        "source": blank + [(s.code, s.name) for s in sources],
    }


def account_bases(book: Book) -> dict[str, str]:
    return {a.code: a.basis for a in book.chart.accounts}


def download(frame, filename: str, fmt: str, sheet: str = "报表") -> Response:
    """The report as a CSV or Excel attachment (names may be Chinese)."""
    from urllib.parse import quote

    if fmt == "xlsx":
        data = to_xlsx_bytes(frame, sheet=sheet)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, mimetype, fmt = to_csv_bytes(frame), "text/csv; charset=utf-8", "csv"
    name = f"{filename}.{fmt}"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})


def today_in(book: Book) -> dt.date:
    """Today when it falls in the book's year, else the year's last (or first) day."""
    today = dt.date.today()
    if today.year == book.fiscal_year:
        return today
    return dt.date(book.fiscal_year, 12, 31) if today.year > book.fiscal_year else dt.date(book.fiscal_year, 1, 1)


from flask_babel import lazy_gettext as _l  # noqa: E402

STATUS_TITLES = {"draft": _l("draft"), "reviewed": _l("reviewed"), "posted": _l("posted")}

COLUMN_TITLES = {
    "organisation": _l("Code"), "name": _l("Name"), "source": _l("Funding source"), "purpose": _l("Purpose"),
    "project": _l("Project"), "title": _l("Project title"), "allocated": _l("Planned budget"),
    "arrived": _l("Arrived"), "spent": _l("Spent"), "balance": _l("Balance"), "approved": _l("Approved"),
    "execution_rate": _l("Execution rate"), "arrival_rate": _l("Funds-arrived rate"), "share": _l("Share"),
    "income": _l("Income"),
}

BREAKDOWN_TITLES = {
    "community": _l("community"), "street": _l("street office"), "district": _l("district"),
    "purpose": _l("purpose"), "source": _l("funding source"), "project": _l("project"),
}


OVERRIDE_TITLES = {
    "asked": _l("waiting for an answer"), "granted": _l("granted"), "refused": _l("refused"),
    "withdrawn": _l("withdrawn"),
}


def fin_status(status: str) -> str:
    return str(STATUS_TITLES.get(status, status))


def override_status(status: str) -> str:
    """The title of a request's state to post past a budget limit."""
    return str(OVERRIDE_TITLES.get(status, status))


def column_title(column: str) -> str:
    return str(COLUMN_TITLES.get(column, column))


def breakdown_title(by: str) -> str:
    return str(BREAKDOWN_TITLES.get(by, by))
