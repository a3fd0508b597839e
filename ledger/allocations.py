"""Money in: allocations (拨款) from a treasury to a community's books.

An allocation records when the money arrived (for the funds-arrived rate 资金到位率) and
is booked as an ordinary voucher in both bases (平行记账), with the accounts its funding
source names: e.g. district money Dr 1011 零余额账户用款额度 / Cr 4001 财政拨款收入 and
Dr 8001 资金结存 / Cr 6001 财政拨款预算收入. The voucher is a draft until someone other
than the clerk who recorded it reviews and posts it; only then does the money count as
received for budget control.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import MAX_ENTRY, Base, money, utcnow
from .books import Book
from .dimensions import FundingSource
from .errors import TOO_LARGE, N_
from .figures import FUND_BALANCE_ACCOUNT
from .posting import prepare_voucher
from .rules import VoucherError
from .users import User
from .vouchers import POSTED, LineDraft, Voucher, VoucherDraft



class AllocationError(VoucherError):
    """An allocation that cannot be recorded as asked."""


class Allocation(Base):
    """Money a treasury allocated (拨款) to one book from one funding source."""

    __tablename__ = "allocations"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"), index=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    amount: Mapped[Decimal]
    arrived_on: Mapped[dt.date] = mapped_column(Date)
    #: The treasury's payment document (指标文号 / 拨款单号), as printed.
    reference: Mapped[str] = mapped_column(String(100), default="")
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    book: Mapped[Book] = relationship()
    funding_source: Mapped[FundingSource] = relationship()
    voucher: Mapped[Voucher] = relationship()
    recorded_by: Mapped[User] = relationship()


def counted():
    """The condition on ``Allocation`` of money that counts in the figures: its voucher is
    posted and no posted voucher reverses it (a draft nobody reviewed counts for nothing)."""
    posted = exists().where(Voucher.id == Allocation.voucher_id, Voucher.status == POSTED)
    reversed_ = exists().where(Voucher.reverses_id == Allocation.voucher_id, Voucher.status == POSTED)
    return posted & ~reversed_


def allocation_lines(source: FundingSource, amount: Decimal) -> tuple[LineDraft, ...]:
    """The four lines of an allocation: one pair per basis, all tagged with the source."""
    return (
        LineDraft(source.asset_account_code, debit=amount, source=source.code),
        LineDraft(source.revenue_account_code, credit=amount, source=source.code),
        LineDraft(FUND_BALANCE_ACCOUNT, debit=amount, source=source.code),
        LineDraft(source.budget_revenue_account_code, credit=amount, source=source.code),
    )


def record_allocation(
    session: Session,
    book: Book,
    source: FundingSource,
    amount: Decimal | int | str,
    arrived_on: dt.date,
    by: User,
    reference: str = "",
    key: str | None = None,
    on: dt.date | None = None,
) -> Allocation:
    """Record money that arrived from ``source`` and prepare its voucher (dated ``on``).

    ``on`` defaults to the day the money arrived; give another date when that day's
    period is already closed. Retrying with the same ``key`` returns the same allocation.
    """
    amount = money(amount)
    if amount > MAX_ENTRY:
        raise AllocationError(TOO_LARGE, field="amount", amount=amount, max=MAX_ENTRY)
    if amount <= 0:
        raise AllocationError(
            N_("An allocation must be above zero, not %(amount)s."), field="amount", amount=amount
        )
    if not source.is_active:
        raise AllocationError(
            N_("Funding source %(source)s is inactive."), field="source", source=source.code
        )
    reference = (reference or "").strip()
    draft = VoucherDraft(
        date=on or arrived_on,
        description=f"收到{source.name}拨款 {reference}".strip(),
        lines=allocation_lines(source, amount),
        key=key,
    )
    voucher = prepare_voucher(session, book, draft, by)
    allocation = session.scalar(select(Allocation).where(Allocation.voucher_id == voucher.id))
    if allocation is None:
        allocation = Allocation(
            book=book, funding_source=source, amount=amount, arrived_on=arrived_on,
            reference=reference, voucher=voucher, recorded_by=by,
        )
        session.add(allocation)
        session.flush()
    return allocation
