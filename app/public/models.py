"""Tables of the public area: what a resident leaves that the cores do not keep.

The needs pool (``workflows.needs.Need``) has no column for a resident's contact, so the
optional contact given with an online need is kept here, one row per need, and shown to
the community's staff only (``contact_for``). The core is not changed for it.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.base import Base

CONTACT_MAX = 100


class NeedContact(Base):
    """How to reach the resident who submitted a need online (联系方式, staff only)."""

    __tablename__ = "public_need_contacts"
    __table_args__ = (CheckConstraint("length(trim(contact)) > 0", name="contact_not_blank"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), primary_key=True)
    contact: Mapped[str] = mapped_column(String(CONTACT_MAX))
