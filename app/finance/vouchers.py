"""Voucher entry (记账凭证), review (审核), posting (记账), reversal (红字冲销) and the queue."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ledger.base import money
from ledger.books import Book
from ledger.budget import BudgetExceeded, OverrideOutdated, breach_text, breaches_of, granted_request
from ledger.errors import DomainError
from ledger.organisations import Organisation
from ledger.overrides import ask_override, open_request
from ledger.posting import (
    discard_voucher, post_voucher, prepare_voucher, return_to_draft, reverse_voucher, review_voucher,
)
from ledger.retry import run_transaction
from ledger.vouchers import DRAFT, POSTED, REVIEWED, LineDraft, Voucher, VoucherDraft

from ..audit import record
from ..auth.access import org_filter
from ..extensions import db
from ..i18n import error_message
from ..jobs.kinds import KINDS
from ..jobs.models import WAITING, Job
from ..web import options
from .common import account_bases, line_choices, load_book, load_voucher, today_in
from .forms import OverrideRequestForm, ReverseForm, ReviewForm, VoucherForm

LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
LINE_FIELDS = {"account", "debit", "credit", "project", "purpose", "source", "memo"}


def _fill(form: VoucherForm, book: Book) -> None:
    choices = line_choices(book)
    for entry in form.lines:
        for name in ("account", "project", "purpose", "source"):
            getattr(entry.form, name).choices = options(choices[name])


def _draft(form: VoucherForm) -> tuple[VoucherDraft, dict[int, int]]:
    """The core's draft from the non-blank lines, and draft line index → form line index."""
    lines, where = [], {}
    for index, entry in enumerate(form.lines):
        line = entry.form
        if line.is_blank():
            continue
        where[len(lines)] = index
        lines.append(LineDraft(
            account=line.account.data or "",
            debit=money(line.debit.data or 0), credit=money(line.credit.data or 0),
            project=line.project.data or None, purpose=line.purpose.data or None,
            source=line.source.data or None, memo=(line.memo.data or "").strip(),
        ))
    return VoucherDraft(form.date.data, form.description.data, tuple(lines), form.key.data or None), where


def _append(field, message: str) -> None:
    if not isinstance(field.errors, list):
        field.errors = list(field.errors)
    field.errors.append(message)


def _show(form: VoucherForm, error: DomainError, where: dict[int, int], general: list[str]) -> None:
    """Put the core's refusal next to the line and field it names, or above the lines."""
    message = error_message(error)
    match = LINE_FIELD.match(error.field or "")
    if match and int(match.group(1)) in where and match.group(2) in LINE_FIELDS:
        entry = form.lines[where[int(match.group(1))]]
        _append(getattr(entry.form, match.group(2)), message)
        general.append(_("Line %(line)s: see the message next to the field.", line=where[int(match.group(1))] + 1))
    elif error.field in ("date", "description"):
        _append(getattr(form, error.field), message)
    else:
        general.append(message)


def totals(form: VoucherForm, bases: dict[str, str]) -> dict[str, tuple[Decimal, Decimal]]:
    """Debits and credits per basis of what the form holds (unreadable amounts count 0)."""
    sums = {"financial": [Decimal("0.00")] * 2, "budget": [Decimal("0.00")] * 2}
    for entry in form.lines:
        basis = bases.get(entry.form.account.data or "")
        if basis is None:
            continue
        for i, name in enumerate(("debit", "credit")):
            try:
                sums[basis][i] += money(getattr(entry.form, name).data or 0)
            except Exception:
                pass
    return {b: tuple(v) for b, v in sums.items()}


@login_required
def new(book_id: int):
    book = load_book(book_id, "books.post")
    form = VoucherForm()
    general: list[str] = []
    budget_breaches: list[str] = []
    ask_override = False
    if request.method == "POST" and form.add_line.data:
        form.lines.append_entry()  # no JavaScript needed: the page comes back one line longer
    elif form.validate_on_submit():
        draft, where = _draft(form)
        refused_key = f"finance-entry-refused-{form.key.data}"
        reason = (request.form.get("override_request") or "").strip()
        existing = db.session.scalar(select(Voucher).where(
            Voucher.book_id == book.id, Voucher.idempotency_key == (form.key.data or "")))
        try:
            voucher = prepare_voucher(db.session, book, draft, by=current_user.user)
            if existing is not None:  # the same form sent twice: one voucher
                flash(_("This voucher was already saved; it was not entered twice."), "success")
                return redirect(url_for("finance.voucher", voucher_id=voucher.id))
            breaches = breaches_of(db.session, voucher) if voucher.status == DRAFT else []
            if breaches and not (reason and session.get(refused_key)):
                raise BudgetExceeded(breaches)
            record(db.session, current_user.id, "voucher.prepare", voucher, book=book.label,
                   **({"override_requested": reason} if breaches else {}))
            db.session.commit()
            session.pop(refused_key, None)
            flash(_("Voucher saved as a draft. Another clerk must review it and a third post it."), "success")
            return redirect(url_for("finance.voucher", voucher_id=voucher.id))
        except BudgetExceeded as error:
            db.session.rollback()
            session[refused_key] = True
            budget_breaches = [error_message(DomainError(b.template, **b.params)) for b in error.breaches]
            ask_override = True
        except DomainError as error:
            db.session.rollback()
            _show(form, error, where, general)
    elif request.method == "GET":
        form.date.data = today_in(book)
    _fill(form, book)
    bases = account_bases(book)
    return render_template(
        "finance/voucher_form.html", book=book, form=form, general=general, bases=bases,
        totals=totals(form, bases), budget_breaches=budget_breaches, ask_override=ask_override,
        override_request=request.form.get("override_request", ""),
    )


def _breach_messages(breaches) -> list[str]:
    return [error_message(DomainError(b.template, **b.params)) for b in breaches]


@login_required
def show(voucher_id: int):
    voucher = load_voucher(voucher_id)
    bases = account_bases(voucher.book)
    sums = {"financial": [Decimal("0.00")] * 2, "budget": [Decimal("0.00")] * 2}
    for line in voucher.lines:
        sums[line.account.basis][0] += line.debit
        sums[line.account.basis][1] += line.credit
    may_post = current_user.can("books.post", voucher.book.organisation)
    breaches = breaches_of(db.session, voucher) if voucher.status == REVIEWED and may_post else []
    granted = granted_request(voucher)
    return render_template(
        "finance/voucher.html", voucher=voucher, bases=bases, sums=sums, may_post=may_post,
        form=ReviewForm(), is_preparer=voucher.prepared_by_id == current_user.id,
        breaches=_breach_messages(breaches), requests=voucher.override_requests,
        request_form=OverrideRequestForm(),
        grant_outdated=bool(breaches) and granted is not None and granted.breaches != breach_text(breaches),
    )


def _act(voucher_id: int, action, success: str, audit: str):
    voucher = load_voucher(voucher_id, "books.post")
    if ReviewForm().validate_on_submit():
        try:
            action(voucher)
            record(db.session, current_user.id, audit, voucher)
            db.session.commit()
            flash(success, "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return voucher


@login_required
def review(voucher_id: int):
    _act(voucher_id, lambda v: review_voucher(db.session, v, by=current_user.user),
         _("Voucher reviewed. It can now be posted."), "voucher.review")
    return redirect(url_for("finance.voucher", voucher_id=voucher_id))


@login_required
def return_draft(voucher_id: int):
    _act(voucher_id, lambda v: return_to_draft(db.session, v, by=current_user.user),
         _("Voucher returned to draft."), "voucher.return")
    return redirect(url_for("finance.voucher", voucher_id=voucher_id))


@login_required
def discard(voucher_id: int):
    voucher = load_voucher(voucher_id, "books.post")
    book_id = voucher.book_id
    if ReviewForm().validate_on_submit():
        try:
            label = voucher.label
            discard_voucher(db.session, voucher, by=current_user.user)
            record(db.session, current_user.id, "voucher.discard", None, voucher=label)
            db.session.commit()
            flash(_("Draft discarded."), "success")
            return redirect(url_for("finance.book", book_id=book_id))
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("finance.voucher", voucher_id=voucher_id))


@login_required
def post(voucher_id: int):
    voucher = load_voucher(voucher_id, "books.post")
    if ReviewForm().validate_on_submit():
        def posting() -> None:
            post_voucher(db.session, voucher, by=current_user.user)
            record(db.session, current_user.id, "voucher.post", voucher, number=voucher.number,
                   **({"override_granted_by": voucher.override.by.username} if voucher.override else {}))

        try:
            run_transaction(db.session, posting)  # commits; again after a serialization failure or deadlock
            flash(_("Voucher posted as number %(number)s.", number=voucher.number), "success")
        except BudgetExceeded as error:
            db.session.rollback()
            if isinstance(error, OverrideOutdated):
                flash(error_message(error), "error")
            for message in _breach_messages(error.breaches):
                flash(message, "error")
            flash(_("To post past the limit, ask the street committee below; it is decided and recorded there."),
                  "warning")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("finance.voucher", voucher_id=voucher_id))


@login_required
def request_override(voucher_id: int):
    """Ask the street committee to allow posting past a budget limit (超预算申请)."""
    voucher = load_voucher(voucher_id, "books.post")
    form = OverrideRequestForm()
    if form.validate_on_submit():
        def asking() -> None:
            earlier = open_request(db.session, voucher)
            request_ = ask_override(db.session, voucher, form.reason.data, by=current_user.user)
            if request_ is not earlier:  # a form sent again asks, and is audited, once
                record(db.session, current_user.id, "override.ask", request_, voucher=voucher.label,
                       reason=request_.reason)

        try:
            run_transaction(db.session, asking)
            flash(_("Asked: the street committee will grant or refuse it; the answer shows on this page."),
                  "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    else:
        for message in form.reason.errors:
            flash(message, "error")
    return redirect(url_for("finance.voucher", voucher_id=voucher_id))


@login_required
def reverse(voucher_id: int):
    original = load_voucher(voucher_id, "books.post")
    if original.status != POSTED:
        flash(_("Only a posted voucher is reversed; a draft is simply discarded."), "error")
        return redirect(url_for("finance.voucher", voucher_id=original.id))
    form = ReverseForm()
    if form.validate_on_submit():
        reason = form.reason.data.strip()
        try:
            reversal = reverse_voucher(
                db.session, original, by=current_user.user, on=form.on.data,
                description=f"冲销 {original.label}：{reason}",
            )
            record(db.session, current_user.id, "voucher.reverse", reversal, original=original.label, reason=reason)
            db.session.commit()
            flash(_("Reversal prepared as a draft. Another clerk must review it and a third post it."), "success")
            return redirect(url_for("finance.voucher", voucher_id=reversal.id))
        except DomainError as error:
            db.session.rollback()
            if error.field in ("date", "on"):
                form.on.errors = list(form.on.errors) + [error_message(error)]
            else:
                flash(error_message(error), "error")
    elif request.method == "GET":
        form.on.data = today_in(original.book)
    return render_template("finance/reverse.html", voucher=original, form=form)


@login_required
def queue():
    """Drafts to review and reviewed vouchers to post, and jobs waiting for more clerks."""
    if not current_user.can("books.post"):
        abort(403)
    vouchers = db.session.scalars(
        select(Voucher).join(Book, Book.id == Voucher.book_id)
        .join(Organisation, Organisation.id == Book.organisation_id)
        .where(org_filter(current_user, "books.post"), Voucher.status.in_((DRAFT, REVIEWED)))
        .order_by(Voucher.status, Voucher.date, Voucher.id)
        .options(selectinload(Voucher.lines))
    ).all()
    jobs = db.session.scalars(
        select(Job).join(Organisation, Organisation.id == Job.organisation_id)
        .where(Job.status == WAITING, Job.action == "books.post", org_filter(current_user, "books.post"))
        .order_by(Job.id)
    ).all()
    return render_template("finance/queue.html", vouchers=vouchers, jobs=jobs,
                           job_title=lambda kind: KINDS[kind].title if kind in KINDS else kind)
