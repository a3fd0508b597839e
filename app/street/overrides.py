"""Requests to post past a budget limit (超预算申请), answered by the street committee.

A clerk whose posting was refused for the budget asks on the voucher's page; here the
committee sees what the voucher is, which limits it passes and why the clerk asks, and
grants or refuses it with a note (``ledger.overrides``). Only requests of the street's own
communities are listed or answered.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ledger.budget import breaches_of
from ledger.errors import DomainError
from ledger.organisations import Organisation
from ledger.overrides import answer_override
from ledger.retry import run_transaction
from ledger.vouchers import ASKED, REVIEWED, OverrideRequest, Voucher

from ..audit import record
from ..auth.access import require
from ..extensions import db
from ..i18n import error_message
from . import loading
from .figures import under
from .forms import OverrideAnswerForm

ACT = "budget.override"
#: Answered requests listed below the waiting ones, newest first.
HISTORY = 50


def requests_under(street: Organisation):
    """Requests of the communities under ``street``: waiting ones first, oldest first."""
    return (
        select(OverrideRequest).join(Organisation, Organisation.id == OverrideRequest.organisation_id)
        .where(under(street))
        .options(selectinload(OverrideRequest.voucher).selectinload(Voucher.lines))
    )


def waiting_count(street: Organisation) -> int:
    """How many requests of ``street``'s communities wait for the committee's answer."""
    return db.session.scalar(
        select(func.count(OverrideRequest.id)).join(Organisation, Organisation.id == OverrideRequest.organisation_id)
        .where(under(street), OverrideRequest.status == ASKED))


@login_required
def index(street_code: str):
    street = loading.street(street_code, ACT)
    waiting = db.session.scalars(requests_under(street).where(OverrideRequest.status == ASKED)
                                 .order_by(OverrideRequest.asked_at, OverrideRequest.id)).all()
    answered = db.session.scalars(requests_under(street).where(OverrideRequest.status != ASKED)
                                  .order_by(OverrideRequest.id.desc()).limit(HISTORY)).all()
    breaches = {r.id: [error_message(DomainError(b.template, **b.params)) for b in breaches_of(db.session, r.voucher)]
                for r in waiting if r.voucher.status == REVIEWED}
    return render_template("street/overrides.html", street=street, waiting=waiting, answered=answered,
                           breaches=breaches, form=OverrideAnswerForm(formdata=None))


@login_required
def answer(street_code: str, request_id: int):
    street = loading.street(street_code, ACT)
    request_ = db.get_or_404(OverrideRequest, request_id)
    if not street.contains(request_.organisation):
        abort(404)
    require(ACT, request_.organisation)
    form = OverrideAnswerForm()
    if form.validate_on_submit():
        grant = form.decision.data == "grant"
        def answering() -> None:
            answer_override(db.session, request_, grant=grant, note=form.note.data, by=current_user.user)
            record(db.session, current_user.id, "override.grant" if grant else "override.refuse", request_,
                   voucher=request_.voucher.label, note=request_.answer)

        try:
            run_transaction(db.session, answering)  # commits; again when SQLite was busy or PostgreSQL deadlocked
            flash(_("Granted: a clerk may now post the voucher past the limit.") if grant
                  else _("Refused: the voucher stays unposted."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    else:
        for field in (form.decision, form.note):
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("street.overrides", street_code=street.code))
