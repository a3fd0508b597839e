"""Tables of the community area: the secretary's payment requests (申请支付).

A payment request is the secretary's side of a payment: the draft voucher she prepares
(the ledger's ``Voucher``, status draft → reviewed → posted by street finance) and the
invoice it rests on (an ``Evidence`` row of kind ``invoice``). The voucher may later be
discarded by finance; the request keeps its figures so the secretary still sees what
she asked for and that it was not paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.vouchers import Voucher
from workflows.evidence import Evidence


class PaymentRequest(Base):
    """A payment the community secretary asks for on a project (申请支付)."""

    __tablename__ = "community_payment_requests"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The draft voucher (记账凭证草稿); NULL once finance discarded it.
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id", ondelete="SET NULL"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    funding_source_code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal]
    paid_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    voucher: Mapped[Voucher | None] = relationship(passive_deletes=True)
    invoice: Mapped[Evidence] = relationship()

    @property
    def status(self) -> str:
        """``draft``, ``reviewed`` or ``posted`` as the voucher is, ``discarded`` without one."""
        return self.voucher.status if self.voucher is not None else "discarded"
