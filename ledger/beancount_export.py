"""Export of books to Beancount (复式记账文本格式), a file ``bean-check`` accepts.

Beancount has five root types, and both bases of the Government Accounting System must
balance on their own, so each of our categories maps to one root and the budget basis
gets its own ``Budget`` branch under the same roots:

============================  ==========================================
category (basis)              Beancount account
============================  ==========================================
asset (financial)             ``Assets:<ORG>:<code>``
liability (financial)         ``Liabilities:<ORG>:<code>``
net_assets (financial)        ``Equity:<ORG>:<code>``
revenue (financial)           ``Income:<ORG>:<code>``
expense (financial)           ``Expenses:<ORG>:<code>``
budget_revenue (budget)       ``Income:<ORG>:Budget:<code>``
budget_expenditure (budget)   ``Expenses:<ORG>:Budget:<code>``
fund_balance (budget)         ``Equity:<ORG>:Budget:<code>``
============================  ==========================================

``<ORG>`` is the organisation code made a valid component (``_`` becomes ``-``, a
leading character that is not a letter or digit gets an ``X`` before it). Debits are
positive amounts, credits negative, in CNY. Every voucher is a transaction whose
metadata names the voucher (``voucher: "Q1/2025#3"``); each posting carries its
``project``, ``purpose`` and ``source``. After the last voucher of each organisation,
``balance`` assertions state our trial balance's closing balances, so ``bean-check``
proves the two agree. When consecutive years of one organisation are exported, the
later year's opening voucher (期初) is left out: Beancount carries balances by itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts import Account
from .books import Book
from .dimensions import FundingSource, PurposeCategory
from .organisations import Organisation
from .projects import LedgerProject
from .reports.common import OPENING_PREFIX
from .reports.trial_balance import trial_balances
from .vouchers import POSTED, Voucher, VoucherLine

ROOTS = {
    "asset": "Assets", "liability": "Liabilities", "net_assets": "Equity", "revenue": "Income",
    "expense": "Expenses", "budget_revenue": "Income", "budget_expenditure": "Expenses",
    "fund_balance": "Equity",
}
CURRENCY = "CNY"


def component(code: str) -> str:
    """``code`` as a valid Beancount account component."""
    text = re.sub(r"[^A-Za-z0-9-]", "-", code)
    text = text[:1].upper() + text[1:]
    return text if re.match(r"[A-Z0-9]", text) else "X" + text


def account_name(organisation_code: str, code: str, category: str, basis: str) -> str:
    """The Beancount name of one account of one organisation's books."""
    parts = [ROOTS[category], component(organisation_code)]
    if basis == "budget":
        parts.append("Budget")
    return ":".join(parts + [component(code)])


def quoted(text: str) -> str:
    """A Beancount string literal."""
    text = " ".join((text or "").split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _books(session: Session, books: Book | Iterable[Book] | Organisation, fiscal_year: int | None) -> list[Book]:
    if isinstance(books, Organisation):
        query = select(Book).join(Organisation).where(Organisation.path.startswith(books.path, autoescape=True))
        if fiscal_year:
            query = query.where(Book.fiscal_year == fiscal_year)
        books = session.scalars(query).all()
    elif isinstance(books, Book):
        books = [books]
    return sorted(books, key=lambda b: (b.organisation.path, b.fiscal_year))


def _lines(session: Session, book_ids: list[int]):
    return session.execute(
        select(Voucher.id, Voucher.book_id, Voucher.date, Voucher.number, Voucher.description,
               Voucher.idempotency_key, Organisation.code, Account.code, Account.name, Account.category,
               Account.basis, VoucherLine.debit, VoucherLine.credit, LedgerProject.code,
               PurposeCategory.code, FundingSource.code, VoucherLine.memo)
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .join(Organisation, Organisation.id == VoucherLine.organisation_id)
        .outerjoin(LedgerProject, LedgerProject.id == VoucherLine.project_id)
        .outerjoin(PurposeCategory, PurposeCategory.id == VoucherLine.purpose_id)
        .outerjoin(FundingSource, FundingSource.id == VoucherLine.funding_source_id)
        .where(Voucher.book_id.in_(book_ids), Voucher.status == POSTED)
        .order_by(Voucher.date, Organisation.code, Voucher.number, VoucherLine.position)
    ).all()


def export_beancount(
    session: Session, books: Book | Iterable[Book] | Organisation, fiscal_year: int | None = None
) -> str:
    """The posted vouchers of ``books`` (or every book under an organisation) as Beancount text."""
    books = _books(session, books, fiscal_year)
    by_id = {b.id: b for b in books}
    exported = {(b.organisation_id, b.fiscal_year) for b in books}
    continued = {b.id for b in books if (b.organisation_id, b.fiscal_year - 1) in exported}
    first_day: dict[str, dt.date] = {}
    for b in books:
        first_day.setdefault(b.organisation.code, dt.date(b.fiscal_year, 1, 1))
    opened = {}
    transactions: dict[int, list] = {}
    for row in _lines(session, list(by_id)):
        (vid, book_id, date, number, description, key, org, code, name, category, basis,
         debit, credit, project, purpose, source, memo) = row
        if book_id in continued and key.startswith(OPENING_PREFIX):
            continue
        account = account_name(org, code, category, basis)
        opened.setdefault(account, (first_day[org], name))
        transactions.setdefault(vid, [date, f"{by_id[book_id].label}#{number}", description, []])[3].append(
            (account, debit - credit, project, purpose, source, memo))
    out = [f'option "title" {quoted("社区服务群众经费账簿")}', f'option "operating_currency" "{CURRENCY}"', ""]
    for account, (day, name) in sorted(opened.items(), key=lambda item: (item[1][0], item[0])):
        out += [f"{day.isoformat()} open {account} {CURRENCY}", f"  name: {quoted(name)}"]
    out.append("")
    for date, voucher, description, postings in transactions.values():
        out += [f"{date.isoformat()} * {quoted(description)}", f"  voucher: {quoted(voucher)}"]
        for account, amount, project, purpose, source, memo in postings:
            out.append(f"  {account}  {amount:.2f} {CURRENCY}")
            for meta, value in (("project", project), ("purpose", purpose), ("source", source), ("memo", memo)):
                if value:
                    out.append(f"    {meta}: {quoted(value)}")
        out.append("")
    out += _assertions(session, books, opened)
    return "\n".join(out) + "\n"


def _assertions(session: Session, books: list[Book], opened: dict) -> list[str]:
    """``balance`` directives with our trial balance's closing balances of each last book."""
    last = {b.organisation_id: b for b in books}  # sorted by year: the last one stays
    out = []
    for book in last.values():
        day = dt.date(book.fiscal_year + 1, 1, 1).isoformat()
        for basis, frame in trial_balances(session, book).items():
            for row in frame.itertuples():
                account = account_name(book.organisation.code, row.account, row.category, basis)
                closing = row.closing_debit - row.closing_credit
                if account in opened or closing:
                    out.append(f"{day} balance {account}  {closing:.2f} {CURRENCY}")
    return sorted(out)
