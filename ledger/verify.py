"""Check the books after the fact (对账): chains, balances and numbering, from the rows.

``verify`` trusts nothing the posting code wrote: it recomputes every posted voucher's
hash from its content and its predecessor's hash, re-adds each basis, checks that
the numbers of each book run 1, 2, 3... without a gap or a repeat, and that the running
totals budget control reads (``ledger.totals``) equal the posted lines. On SQLite, where an
amount is kept as a whole number of fen, it also reads the stored cells: a hand that
writes a fraction of a fen there would otherwise be hidden by the conversion to yuan. A
command-line wrapper exits non-zero when the list it returns is not empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from .books import Book
from .chain import voucher_hash
from .rules import basis_totals
from .totals import totals_differences
from .vouchers import POSTED, Voucher, VoucherLine


@dataclass(frozen=True)
class Problem:
    """Something wrong with a posted voucher, named so a person can find it."""

    book: str
    voucher: str
    message: str

    def __str__(self) -> str:
        return f"{self.voucher}: {self.message}"


def _voucher_problems(voucher: Voucher, book: Book) -> list[str]:
    """What is wrong inside one posted voucher, whatever its neighbours."""
    found = []
    if len(voucher.lines) < 2:
        found.append(f"has {len(voucher.lines)} lines, at least 2 needed")
    for basis, (debit, credit) in sorted(basis_totals(voucher.lines).items()):
        if debit != credit:
            found.append(f"{basis} basis does not balance: debits {debit}, credits {credit}")
    for line in voucher.lines:
        if (line.debit > 0) == (line.credit > 0) or line.debit < 0 or line.credit < 0:
            found.append(f"line {line.position} has debit {line.debit} and credit {line.credit}")
        if line.organisation_id != book.organisation_id:
            found.append(f"line {line.position} is tagged with another organisation")
    if voucher.date.year != book.fiscal_year or voucher.period != voucher.date.month:
        found.append(f"date {voucher.date} does not fit period {book.fiscal_year}-{voucher.period:02d}")
    return found


def _fractional_fen(session: Session, book: Book) -> dict[int, list[int]]:
    """SQLite only: positions of posted lines whose stored amount is not a whole number of fen."""
    if session.get_bind().dialect.name != "sqlite":
        return {}  # NUMERIC(18, 2) cannot hold a fraction of a fen
    found: dict[int, list[int]] = {}
    for voucher_id, position in session.execute(
        select(VoucherLine.voucher_id, VoucherLine.position).join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .where(Voucher.book_id == book.id, Voucher.status == POSTED,
               or_(func.typeof(VoucherLine.debit) != "integer", func.typeof(VoucherLine.credit) != "integer"))
        .order_by(VoucherLine.voucher_id, VoucherLine.position)
    ):
        found.setdefault(voucher_id, []).append(position)
    return found


def verify_book(session: Session, book: Book) -> list[Problem]:
    """Every problem of one book's posted vouchers, in number order."""
    vouchers = session.scalars(
        select(Voucher)
        .where(Voucher.book_id == book.id, Voucher.status == POSTED)
        .order_by(Voucher.number, Voucher.id)
        .options(selectinload(Voucher.lines).selectinload(VoucherLine.account))
    ).all()
    problems: list[Problem] = []
    fractional = _fractional_fen(session, book)

    def problem(voucher: Voucher, message: str) -> None:
        problems.append(Problem(book.label, voucher.label, message))

    expected, previous_hash = 1, None
    for voucher in vouchers:
        if voucher.number != expected:
            problem(voucher, f"numbered {voucher.number} where {expected} was expected")
        expected = (voucher.number or expected) + 1
        if voucher.previous_hash != previous_hash:
            problem(voucher, "is not linked to the voucher posted before it")
        if voucher.hash != voucher_hash(voucher, previous_hash):
            problem(voucher, "hash does not match its content: the voucher was changed after posting")
        for message in _voucher_problems(voucher, book):
            problem(voucher, message)
        for position in fractional.get(voucher.id, ()):
            problem(voucher, f"line {position} holds an amount that is not a whole number of fen")
        previous_hash = voucher.hash
    for message in totals_differences(session, book.id):  # what budget control reads
        problems.append(Problem(book.label, book.label, message))
    return problems


def verify(session: Session, book: Book | None = None) -> list[Problem]:
    """Every problem in ``book``, or in all books when ``book`` is ``None``."""
    books = [book] if book is not None else session.scalars(select(Book).order_by(Book.id)).all()
    return [p for b in books for p in verify_book(session, b)]
