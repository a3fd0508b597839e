"""Vouchers (记账凭证) and their lines, and the plain drafts a caller builds them from.

A voucher is prepared as a draft, reviewed by someone else (审核) and posted (记账) by
someone other than its preparer. Posting gives it the next number of its book and a
hash chained to the voucher posted before it. After that it never changes: a mistake is
undone by a reversing voucher (红字冲销) that mirrors its lines. The database refuses
edits of posted vouchers too (``ledger/triggers.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import (
    CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, type_coerce,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Account
from .base import MONEY, Base, money, utcnow
from .books import Book
from .dimensions import FundingSource, PurposeCategory
from .organisations import Organisation
from .users import User

if TYPE_CHECKING:  # for the annotation only; the relationship is mapped by name
    from .projects import LedgerProject

DRAFT, REVIEWED, POSTED = "draft", "reviewed", "posted"
#: The key prefix of year-end closing vouchers (``ledger/yearend.py``), which budget control
#: and the reports read apart.
CLOSING_PREFIX = "closing:"
#: The key prefix of the opening vouchers the year-end close and the imports write: the
#: year's opening balance (期初) in the reports.
OPENING_PREFIX = "opening:"
#: Keys only the year-end close and the opening-balance import give (``system`` writers):
#: the figures and the reports read their vouchers apart, so no client may choose one.
RESERVED_PREFIXES = (CLOSING_PREFIX, OPENING_PREFIX)
#: The longest description (摘要) a voucher keeps.
DESCRIPTION_MAX = 500
STATUSES = (DRAFT, REVIEWED, POSTED)
ZERO = Decimal("0.00")


class LineDraft(NamedTuple):
    """One line a caller wants on a voucher, by codes: what the web form or API sends."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    project: str | None = None
    purpose: str | None = None
    source: str | None = None
    memo: str = ""


class VoucherDraft(NamedTuple):
    """A voucher a caller wants prepared. ``key`` makes a retried request safe."""

    date: dt.date
    description: str
    lines: tuple[LineDraft, ...]
    key: str | None = None


class Voucher(Base):
    """A voucher (记账凭证) of one book: draft, then reviewed, then posted for good."""

    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("book_id", "idempotency_key"),
        UniqueConstraint("book_id", "number"),
        UniqueConstraint("reverses_id"),
        CheckConstraint("status IN ('draft', 'reviewed', 'posted')", name="status_known"),
        CheckConstraint("period BETWEEN 1 AND 12", name="period_in_year"),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
        CheckConstraint(
            "(status = 'posted') = (number IS NOT NULL AND hash IS NOT NULL "
            "AND posted_by_id IS NOT NULL AND posted_at IS NOT NULL)",
            name="numbered_when_posted",
        ),
        CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
        CheckConstraint(
            "(status = 'draft') = (reviewed_by_id IS NULL AND reviewed_at IS NULL)",
            name="reviewed_when_not_draft",
        ),
        CheckConstraint("reviewed_by_id <> prepared_by_id", name="reviewer_not_preparer"),
        CheckConstraint("posted_by_id <> prepared_by_id", name="poster_not_preparer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    date: Mapped[dt.date] = mapped_column("voucher_date", Date)
    period: Mapped[int]
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    #: sha256 of the request, so a retry with the same key can be told from a conflict.
    request_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"))
    number: Mapped[int | None]
    hash: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[dt.datetime | None]

    book: Mapped[Book] = relationship()
    lines: Mapped[list[VoucherLine]] = relationship(
        back_populates="voucher", order_by="VoucherLine.position", cascade="all, delete-orphan"
    )
    reverses: Mapped[Voucher | None] = relationship(remote_side=[id], back_populates="reversed_by")
    reversed_by: Mapped[Voucher | None] = relationship(back_populates="reverses", uselist=False)
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    posted_by: Mapped[User | None] = relationship(foreign_keys=[posted_by_id])
    override: Mapped[BudgetOverride | None] = relationship(back_populates="voucher")
    override_requests: Mapped[list[OverrideRequest]] = relationship(
        back_populates="voucher", order_by="OverrideRequest.id", cascade="all, delete-orphan")

    @property
    def label(self) -> str:
        """How a message names the voucher: its number once posted, else its id."""
        where = self.book.label if self.book is not None else f"book {self.book_id}"
        return f"{where} #{self.number}" if self.number else f"{where} draft {self.id}"

    def __repr__(self) -> str:
        return f"<Voucher {self.label} {self.status}>"


class VoucherLine(Base):
    """One line of a voucher: an account, a debit or a credit, and its dimensions.

    ``organisation_id`` is the community dimension (the book's own organisation), kept on
    the line so reports by community need no join through the book.
    """

    __tablename__ = "voucher_lines"
    __table_args__ = (
        UniqueConstraint("voucher_id", "position"),
        CheckConstraint("debit >= 0", name="debit_not_negative"),
        CheckConstraint("credit >= 0", name="credit_not_negative"),
        CheckConstraint(
            "(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)", name="one_side_positive"
        ),
        CheckConstraint("position > 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    debit: Mapped[Decimal] = mapped_column(default=ZERO)
    credit: Mapped[Decimal] = mapped_column(default=ZERO)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_projects.id"), index=True)
    purpose_id: Mapped[int | None] = mapped_column(ForeignKey("purpose_categories.id"))
    funding_source_id: Mapped[int | None] = mapped_column(ForeignKey("funding_sources.id"))
    memo: Mapped[str] = mapped_column(String(200), default="")

    voucher: Mapped[Voucher] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()
    organisation: Mapped[Organisation] = relationship()
    project: Mapped[LedgerProject | None] = relationship()
    purpose: Mapped[PurposeCategory | None] = relationship()
    funding_source: Mapped[FundingSource | None] = relationship()

    @property
    def amount(self) -> Decimal:
        """Debit minus credit: positive on the debit side."""
        return money(self.debit) - money(self.credit)

    def as_draft(self) -> LineDraft:
        """This line in the codes a caller would have sent."""
        return LineDraft(
            account=self.account.code, debit=self.debit, credit=self.credit,
            project=self.project.code if self.project else None,
            purpose=self.purpose.code if self.purpose else None,
            source=self.funding_source.code if self.funding_source else None,
            memo=self.memo,
        )


#: The states of a request to post past a budget limit (超预算申请).
ASKED, GRANTED, REFUSED, WITHDRAWN = "asked", "granted", "refused", "withdrawn"
OVERRIDE_STATES = (ASKED, GRANTED, REFUSED, WITHDRAWN)


class OverrideRequest(Base):
    """A clerk's request to post a voucher past a budget limit, and the answer to it.

    The clerk asks with a reason; someone with the authority to approve more money (the
    street committee) grants or refuses it, with a note. A grant covers the limits as
    they stood when it was asked (``breaches``): if the figures move before posting, the
    voucher must be asked for again. Returning the voucher to draft withdraws the request.
    """

    __tablename__ = "override_requests"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in OVERRIDE_STATES) + ")", name="status_known"),
        CheckConstraint("status NOT IN ('granted', 'refused') OR answered_by_id IS NOT NULL",
                        name="answer_has_answerer"),
        CheckConstraint("answered_by_id IS NULL OR answered_by_id <> asked_by_id", name="answered_by_another"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    #: The refusals the request asks to set aside, one message a line, with their figures.
    breaches: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ASKED, index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None]
    answer: Mapped[str] = mapped_column(Text, default="")

    voucher: Mapped[Voucher] = relationship(back_populates="override_requests")
    organisation: Mapped[Organisation] = relationship()
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class BudgetOverride(Base):
    """A posting allowed past a budget limit: who allowed it, why, and which limits.

    ``by`` is the person who granted the request (``request``); the poster is the voucher's.
    """

    __tablename__ = "budget_overrides"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The refusals the override set aside, one message a line, with their figures.
    breaches: Mapped[str] = mapped_column(Text)

    request_id: Mapped[int | None] = mapped_column(ForeignKey("override_requests.id"))

    voucher: Mapped[Voucher] = relationship(back_populates="override")
    by: Mapped[User] = relationship()
    request: Mapped[OverrideRequest | None] = relationship()


def is_opening():
    """The condition on ``Voucher`` of an opening voucher."""
    return Voucher.idempotency_key.startswith(OPENING_PREFIX, autoescape=True)


def is_closing():
    """The condition on ``Voucher`` of a year-end closing voucher."""
    return Voucher.idempotency_key.startswith(CLOSING_PREFIX, autoescape=True)


def net_debit():
    """Debit minus credit of a line, typed as money."""
    return type_coerce(VoucherLine.debit, MONEY) - type_coerce(VoucherLine.credit, MONEY)
