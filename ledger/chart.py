"""Changes to a chart that depend on what was posted to it: deactivating an account."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .accounts import Account, ChartError
from .errors import N_
from .vouchers import POSTED, Voucher, VoucherLine


def posted_line_count(session: Session, account: Account) -> int:
    """How many lines of posted vouchers name ``account``."""
    return session.scalar(
        select(func.count(VoucherLine.id)).join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .where(VoucherLine.account_id == account.id, Voucher.status == POSTED)
    ) or 0


def set_account_active(session: Session, account: Account, active: bool) -> Account:
    """Deactivate an account nobody posted to and with no active sub-account, or reactivate it.

    An inactive account is refused by the posting rules; its history is kept, which is
    why an account with posted lines stays active (the books would read a closed
    account with a balance). A sub-account is reactivated only under an active parent.
    """
    if active:
        if account.parent is not None and not account.parent.is_active:
            raise ChartError(
                N_("Account %(account)s is below the inactive account %(parent)s; reactivate that first."),
                field="account", account=account.code, parent=account.parent.code,
            )
    else:
        children = [c.code for c in account.children if c.is_active]
        if children:
            raise ChartError(
                N_("Account %(account)s has active sub-accounts (%(children)s); deactivate them first."),
                field="account", account=account.code, children=", ".join(children),
            )
        posted = posted_line_count(session, account)
        if posted:
            raise ChartError(
                N_("Account %(account)s has %(count)s posted lines and stays active."),
                field="account", account=account.code, count=posted,
            )
    account.is_active = active
    session.flush()
    return account
