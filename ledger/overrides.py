"""Asking to post a voucher past a budget limit (超预算申请), and answering.

A clerk whose posting was refused for the budget asks, with a reason; a second person
with the authority to approve more money (the street committee: who holds that authority
is the web layer's roles) grants or refuses it, with a note. Neither the asker nor the
voucher's preparer or reviewer may answer, and the granter may not post it either, so
spending past an approval always has two people behind it besides the clerks. Each
function locks the voucher's organisation first (``ledger/locks.py``) and re-checks the
request's state under the lock: of two parallel answers, one wins and the other is told
who answered first. Functions flush; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import CHINA, utcnow
from .budget import OverrideError, breach_text, breaches_of
from .errors import N_
from .locks import lock_organisation
from .users import User
from .vouchers import ASKED, GRANTED, REFUSED, REVIEWED, WITHDRAWN, OverrideRequest, Voucher

#: The longest reason or answer kept.
TEXT_MAX = 2000
OPEN = (ASKED, GRANTED)


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise OverrideError(N_("State why: it is recorded with your name."), field=field)
    if len(text) > TEXT_MAX:
        raise OverrideError(N_("Keep it within %(max)s characters."), field=field, max=TEXT_MAX)
    return text


def _fresh(session: Session, request: OverrideRequest) -> OverrideRequest:
    lock_organisation(session, request.organisation_id)
    session.refresh(request)
    return request


def open_request(session: Session, voucher: Voucher) -> OverrideRequest | None:
    """The request of ``voucher`` that is waiting for an answer or granted, if any."""
    return session.scalar(select(OverrideRequest).where(
        OverrideRequest.voucher_id == voucher.id, OverrideRequest.status.in_(OPEN)))


def ask_override(session: Session, voucher: Voucher, reason: str, by: User) -> OverrideRequest:
    """Ask to post reviewed ``voucher`` past the limits it breaks now.

    Asking again while a request is open returns it (a resent form asks once); a granted
    request whose figures have moved since is withdrawn and asked afresh.
    """
    reason = _text(reason, "reason")
    if by is None or not by.is_active:
        raise OverrideError(N_("An active user must ask."), field="by")
    lock_organisation(session, voucher.book.organisation_id)
    session.refresh(voucher, ["status"])
    if voucher.status != REVIEWED:
        raise OverrideError(
            N_("Voucher %(voucher)s is %(status)s; only a reviewed voucher refused for the budget is asked for."),
            field="status", voucher=voucher.label, status=voucher.status)
    breaches = breaches_of(session, voucher)
    if not breaches:
        raise OverrideError(N_("Voucher %(voucher)s is within every budget limit: post it as it is."),
                            field="voucher", voucher=voucher.label)
    text = breach_text(breaches)
    existing = open_request(session, voucher)
    if existing is not None:
        if existing.status == ASKED or existing.breaches == text:
            return existing
        existing.status = WITHDRAWN  # granted for figures that no longer stand
    request = OverrideRequest(
        voucher=voucher, organisation_id=voucher.book.organisation_id, reason=reason, breaches=text,
        status=ASKED, asked_by=by, asked_at=utcnow(),
    )
    session.add(request)
    session.flush()
    return request


def answer_override(session: Session, request: OverrideRequest, grant: bool, note: str, by: User) -> OverrideRequest:
    """Grant or refuse ``request``; the caller has checked ``by``'s authority over its organisation."""
    note = _text(note, "answer")
    if by is None or not by.is_active:
        raise OverrideError(N_("An active user must answer."), field="by")
    _fresh(session, request)
    if request.status == WITHDRAWN:
        raise OverrideError(N_("This request was withdrawn: the voucher was returned to draft or asked for "
                               "again. Answer the request that stands now."), field="status")
    if request.status != ASKED:
        template = (N_("This request was already granted by %(user)s at %(at)s.") if request.status == GRANTED
                    else N_("This request was already refused by %(user)s at %(at)s."))
        raise OverrideError(template, field="status", user=request.answered_by.display_name,
                            at=request.answered_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"))
    voucher = request.voucher
    involved = {
        request.asked_by_id: N_("%(user)s asked for it and cannot also answer: someone else with the authority must."),
        voucher.prepared_by_id: N_("%(user)s prepared the voucher and cannot also answer: someone else with the "
                                   "authority must."),
        voucher.reviewed_by_id: N_("%(user)s reviewed the voucher and cannot also answer: someone else with the "
                                   "authority must."),
    }
    if by.id in involved:
        raise OverrideError(involved[by.id], field="by", user=by.display_name)
    request.status = GRANTED if grant else REFUSED
    request.answered_by, request.answered_at, request.answer = by, utcnow(), note
    session.flush()
    return request


def withdraw_requests(voucher: Voucher) -> None:
    """Withdraw the open requests of ``voucher`` (returned to draft: its lines may change)."""
    for request in voucher.override_requests:
        if request.status in OPEN:
            request.status = WITHDRAWN
