"""The books (账簿) of the street's communities: list, open, overview, allocations, closes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ledger.allocations import Allocation, record_allocation
from ledger.allocations import counted as counted_allocations
from ledger.books import BOOK_LEVELS, open_book
from ledger.dimensions import FundingSource
from ledger.errors import DomainError, N_
from ledger.periods import close_period
from ledger.reports.execution import execution_by_source
from ledger.vouchers import DRAFT, POSTED, REVIEWED, Voucher
from ledger.yearend import DISPOSITIONS

from ..audit import record
from ..auth.access import require, visible_organisations
from ..extensions import db
from ..i18n import error_message
from ..jobs.kinds import message_of
from ..jobs.operations import create_job
from ..web import options, show_error
from .common import books_in_scope, load_book, load_organisation, today_in
from .forms import AllocationForm, ClosePeriodForm, OpenBookForm, YearEndForm


def _open_form() -> OpenBookForm:
    form = OpenBookForm()
    orgs = db.session.scalars(visible_organisations("books.post")).all()
    form.organisation.choices = options([(o.id, f"{o.name} ({o.code})") for o in orgs if o.level in BOOK_LEVELS])
    if not form.fiscal_year.data and request.method == "GET":
        from datetime import date

        form.fiscal_year.data = date.today().year
    return form


@login_required
def index():
    require("books.view")
    books = db.session.scalars(books_in_scope()).all()
    counts = dict(db.session.execute(
        select(Voucher.book_id, func.count(Voucher.id))
        .where(Voucher.book_id.in_([b.id for b in books]), Voucher.status != POSTED)
        .group_by(Voucher.book_id)
    ).all()) if books else {}
    may_post = current_user.can("books.post")
    roots = db.session.scalars(visible_organisations("books.view")).all()
    roots = [o for o in roots if o.level in ("district", "street", "city")][:20]
    return render_template("finance/index.html", books=books, pending=counts, may_post=may_post,
                           open_form=_open_form() if may_post else None, roots=roots)


@login_required
def open_new_book():
    require("books.post")
    org = load_organisation(request.form.get("organisation"), "books.post")
    form = _open_form()
    if form.validate_on_submit():
        try:
            book = open_book(db.session, org, form.fiscal_year.data, by=current_user.user)
            record(db.session, current_user.id, "book.open", book, book=book.label)
            db.session.commit()
            flash(_("Books %(book)s opened.", book=book.label), "success")
            return redirect(url_for("finance.book", book_id=book.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    for name, errors in form.errors.items():
        for message in errors:
            flash(f"{getattr(form, name).label.text}: {message}", "error")
    return redirect(url_for("finance.index"))


@login_required
def book(book_id: int):
    book = load_book(book_id)
    vouchers = db.session.scalars(
        select(Voucher).where(Voucher.book_id == book.id)
        .order_by(Voucher.number.is_(None).desc(), Voucher.number.desc(), Voucher.id.desc()).limit(300)
    ).all()
    next_open = next((p for p in book.periods if not p.is_closed), None)
    return render_template("finance/book.html", book=book, vouchers=vouchers, next_open=next_open,
                           may_post=current_user.can("books.post", book.organisation))


@login_required
def allocations(book_id: int):
    book = load_book(book_id)
    may_post = current_user.can("books.post", book.organisation)
    form = AllocationForm()
    sources = db.session.scalars(select(FundingSource).where(FundingSource.is_active.is_(True))
                                 .order_by(FundingSource.code)).all()
    form.source.choices = options([(s.code, s.name) for s in sources])
    if request.method == "POST":
        require("books.post", book.organisation)
        if form.validate_on_submit():
            source = next(s for s in sources if s.code == form.source.data) if any(
                s.code == form.source.data for s in sources) else None
            try:
                if source is None:
                    raise DomainError(N_("Choose a funding source."), field="source")
                allocation = record_allocation(
                    db.session, book, source, form.amount.data, form.arrived_on.data, by=current_user.user,
                    reference=form.reference.data or "", key=form.key.data or None, on=form.on.data,
                )
                record(db.session, current_user.id, "allocation.record", allocation, amount=allocation.amount)
                db.session.commit()
                flash(_("Allocation recorded; its voucher waits for another clerk to review it and a third to post it."), "success")
                return redirect(url_for("finance.allocations", book_id=book.id))
            except DomainError as error:
                db.session.rollback()
                show_error(form, error, {"on": "on", "date": "on"})
    elif not form.arrived_on.data:
        form.arrived_on.data = today_in(book)
    rows = db.session.scalars(
        select(Allocation).where(Allocation.book_id == book.id).order_by(Allocation.arrived_on, Allocation.id)
    ).all()
    counted = set(db.session.scalars(select(Allocation.id).where(Allocation.book_id == book.id, counted_allocations())))
    total = sum((a.amount for a in rows if a.id in counted), start=0)
    pending = sum((a.amount for a in rows if a.voucher.status != POSTED), start=0)
    return render_template("finance/allocations.html", book=book, rows=rows, form=form if may_post else None,
                           total=total, pending=pending)


@login_required
def close_month(book_id: int):
    book = load_book(book_id, "books.post")
    period = next((p for p in book.periods if not p.is_closed), None)
    form = ClosePeriodForm()
    unposted = []
    if period is not None:
        unposted = db.session.scalars(select(Voucher).where(
            Voucher.book_id == book.id, Voucher.period == period.month, Voucher.status.in_((DRAFT, REVIEWED))
        ).order_by(Voucher.id)).all()
    if form.validate_on_submit() and period is not None:
        try:
            month = int(form.month.data or period.month)
        except ValueError:
            month = period.month
        try:
            close_period(db.session, book, month, by=current_user.user)
            record(db.session, current_user.id, "period.close", book, month=month)
            db.session.commit()
            flash(_("Period %(year)s-%(month)02d closed.", year=book.fiscal_year, month=month), "success")
            return redirect(url_for("finance.book", book_id=book.id))
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return render_template("finance/close_period.html", book=book, period=period, form=form, unposted=unposted)


def year_end_summary(book, disposition: str) -> list[dict]:
    """What the close will do, in lines the confirmation page and the job page show."""
    lines = [message_of(N_("Closing vouchers dated %(date)s empty every revenue and expense account of "
                           "books %(book)s into the surplus accounts."),
                        date=f"{book.fiscal_year}-12-31", book=book.label)]
    frame = execution_by_source(db.session, book.organisation, book.fiscal_year)
    for row in frame.itertuples(index=False):
        template = (N_("%(source)s: arrived %(arrived)s, spent %(spent)s, %(balance)s carried over to %(next)s.")
                    if disposition == "carry_over" else
                    N_("%(source)s: arrived %(arrived)s, spent %(spent)s, %(balance)s returned to the treasury."))
        lines.append(message_of(template, source=row.name, arrived=f"{row.arrived:,.2f}",
                                spent=f"{row.spent:,.2f}", balance=f"{row.balance:,.2f}",
                                next=book.fiscal_year + 1))
    lines.append(message_of(N_("Every open period of %(year)s is closed: no more postings in that year."),
                            year=book.fiscal_year))
    lines.append(message_of(N_("Books of %(next)s are opened if needed, with an opening voucher carrying the "
                               "balances."), next=book.fiscal_year + 1))
    return lines


@login_required
def year_end(book_id: int):
    book = load_book(book_id, "books.post")
    form = YearEndForm()
    disposition = form.disposition.data if form.disposition.data in DISPOSITIONS else "carry_over"
    unposted = db.session.scalar(select(func.count(Voucher.id)).where(
        Voucher.book_id == book.id, Voucher.status != POSTED))
    if form.validate_on_submit():
        if book.period(12).is_closed:
            flash(_("The year %(year)s of books %(book)s is already closed.", year=book.fiscal_year, book=book.label),
                  "error")
            return redirect(url_for("finance.book", book_id=book.id))
        if unposted:
            flash(_("Books %(book)s still have %(count)s vouchers not posted: post or discard them before the "
                    "year-end close.", book=book.label, count=unposted), "error")
        else:
            job = create_job(
                db.session, "finance.year_end", book.organisation, current_user.user,
                {"book_id": book.id, "disposition": disposition}, action="books.post",
                needs_confirmation=True, summary=year_end_summary(book, disposition),
            )
            record(db.session, current_user.id, "yearend.request", book, disposition=disposition, job=job.id)
            db.session.commit()
            flash(_("Year-end close requested. Two more clerks must confirm it on this page: a reviewer, then a poster."), "success")
            return redirect(url_for("jobs.show", job_id=job.id))
    summary = {d: year_end_summary(book, d) for d in DISPOSITIONS}
    return render_template("finance/year_end.html", book=book, form=form, summary=summary, unposted=unposted)
