"""An hledger journal of the same posted lines the Beancount export holds.

hledger's syntax differs from Beancount's (no ``open`` directives needed, comments with
``;``, tags as ``name:value`` in comments, at least two spaces before an amount), so the
journal is written here from the database, with the account names of
``ledger.beancount_export.account_name``: one name, one figure, in both peers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.accounts import Account
from ledger.beancount_export import account_name
from ledger.books import Book
from ledger.organisations import Organisation
from ledger.reports.common import under
from ledger.vouchers import POSTED, Voucher, VoucherLine


def _text(value: str) -> str:
    return " ".join((value or "").replace(";", ",").split())


def journal(session: Session, root: Organisation, fiscal_year: int) -> str:
    """Every posted voucher of the books under ``root`` for ``fiscal_year``, as hledger text."""
    rows = session.execute(
        select(Voucher.id, Voucher.date, Voucher.number, Voucher.description, Organisation.code, Account.code,
               Account.category, Account.basis, VoucherLine.debit, VoucherLine.credit)
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(Book, Book.id == Voucher.book_id)
        .join(Organisation, Organisation.id == Book.organisation_id)
        .join(Account, Account.id == VoucherLine.account_id)
        .where(Voucher.status == POSTED, Book.fiscal_year == fiscal_year, under(Organisation.path, root.path))
        .order_by(Voucher.date, Organisation.code, Voucher.number, VoucherLine.position)
    )
    out, current = [], None
    for vid, date, number, description, org, code, category, basis, debit, credit in rows:
        if vid != current:
            if current is not None:
                out.append("")
            out.append(f"{date.isoformat()} * {_text(description)}  ; voucher:{org}/{fiscal_year}#{number}")
            current = vid
        out.append(f"    {account_name(org, code, category, basis)}  {debit - credit:.2f} CNY")
    return "\n".join(out) + "\n"
