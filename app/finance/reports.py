"""Reports of the books on the page and as CSV / Excel: trial balance (试算平衡表), general and
subsidiary ledgers (总账/明细账), budget execution (预算执行); large ones as background jobs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ledger.accounts import BUDGET, FINANCIAL
from ledger.errors import DomainError
from ledger.reports import (
    execution_by_organisation, execution_by_project, execution_by_purpose, execution_by_source,
    general_ledger, is_balanced, subsidiary_ledger, totals, trial_balance, with_totals,
)
from ledger.reports.common import ReportError

from ..audit import record
from ..auth.access import require, visible_organisations
from ..extensions import db
from ..i18n import error_message
from ..jobs.operations import create_job, dispatch
from .common import breakdown_title, column_title, download, leaf_accounts, line_choices, load_book, load_organisation
from .forms import ExportJobForm

BREAKDOWNS = ("community", "street", "district", "purpose", "source", "project")
LEVEL_ORDER = ("city", "district", "street", "community")


def _format() -> str | None:
    fmt = request.args.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


@login_required
def trial(book_id: int):
    book = load_book(book_id)
    basis = request.args.get("basis") if request.args.get("basis") in (FINANCIAL, BUDGET) else FINANCIAL
    first, last = _int_arg("from", 1, 1, 12), _int_arg("to", 12, 1, 12)
    if first > last:
        flash(_("The first month must not come after the last; showing the whole year."), "error")
        first, last = 1, 12
    frame = trial_balance(db.session, book, book.fiscal_year, basis=basis, months=(first, last))
    fmt = _format()
    if fmt:
        title = f"试算平衡表_{book.organisation.code}_{book.fiscal_year}_{basis}"
        return download(with_totals(frame), title, fmt, sheet=f"{book.fiscal_year}试算平衡表")
    return render_template("finance/trial_balance.html", book=book, frame=frame, sums=totals(frame),
                           balanced=is_balanced(frame), basis=basis, first=first, last=last)


def _ledger_filters(book):
    choices = line_choices(book)
    accounts = leaf_accounts(book) + [a for a in book.chart.accounts if a.children]
    codes = {a.code for a in book.chart.accounts}
    account = request.args.get("account") or ""
    if account not in codes:
        account = ""
    filters = {}
    for name in ("project", "purpose", "source"):
        value = request.args.get(name) or ""
        if value and value in {c for c, _label in choices[name]}:
            filters[name] = value
    return sorted(accounts, key=lambda a: a.code), choices, account, filters


@login_required
def ledger(book_id: int):
    book = load_book(book_id)
    accounts, choices, account, filters = _ledger_filters(book)
    general = subsidiary = None
    if account:
        general = general_ledger(db.session, book, account, book.fiscal_year, **filters)
        subsidiary = subsidiary_ledger(db.session, book, account, book.fiscal_year, **filters)
        fmt = _format()
        if fmt:
            kind = request.args.get("kind")
            if kind == "general":
                return download(general, f"总账_{book.organisation.code}_{book.fiscal_year}_{account}", fmt,
                                sheet=f"总账{account}")
            return download(subsidiary, f"明细账_{book.organisation.code}_{book.fiscal_year}_{account}", fmt,
                            sheet=f"明细账{account}")
    return render_template("finance/ledger.html", book=book, accounts=accounts, choices=choices,
                           account=account, filters=filters, general=general, subsidiary=subsidiary)


def execution_frame(session, org, year: int, by: str):
    if by in ("purpose", "source", "project"):
        return {"purpose": execution_by_purpose, "source": execution_by_source,
                "project": execution_by_project}[by](session, org, year)
    return execution_by_organisation(session, org, year, level=by)


@login_required
def execution():
    require("books.view")
    roots = [o for o in db.session.scalars(visible_organisations("books.view")).all()]
    if not roots:
        abort(403)
    org = load_organisation(request.args.get("org") or roots[0].id)
    from datetime import date

    year = _int_arg("year", date.today().year, 2000, 2999)
    levels = [lv for lv in LEVEL_ORDER if LEVEL_ORDER.index(lv) >= LEVEL_ORDER.index(org.level)]
    by = request.args.get("by") or ("community" if "community" in levels else "purpose")
    if by not in BREAKDOWNS or (by in LEVEL_ORDER and by not in levels):
        by = "community" if "community" in levels else "purpose"
    try:
        frame = execution_frame(db.session, org, year, by)
    except ReportError as error:
        flash(error_message(error), "error")
        return redirect(url_for("finance.index"))
    fmt = _format()
    if fmt:
        return download(frame, f"预算执行_{org.code}_{year}_{by}", fmt, sheet=f"{year}预算执行")
    return render_template(
        "finance/execution.html", org=org, year=year, by=by, frame=frame, roots=roots, levels=levels,
        breakdowns=[b for b in BREAKDOWNS if b not in LEVEL_ORDER or b in levels], job_form=ExportJobForm(),
        zip=zip, column_title=column_title, breakdown_title=breakdown_title,
    )


EXPORT_KINDS = {"execution": "finance.export_execution", "trial_balances": "finance.export_trial_balances"}


@login_required
def export_job():
    """Start a large export (a district's execution, every trial balance of a street) in the background."""
    require("books.view")
    form = ExportJobForm()
    if not form.validate_on_submit() or form.kind.data not in EXPORT_KINDS:
        flash(_("The export could not be started: reload the page and try again."), "error")
        return redirect(url_for("finance.execution"))
    org = load_organisation(form.organisation.data)
    try:
        year = int(form.fiscal_year.data)
        if not 2000 <= year <= 2999:
            raise ValueError
    except ValueError:
        flash(_("Enter a year such as 2026."), "error")
        return redirect(url_for("finance.execution"))
    by = form.by.data if form.by.data in BREAKDOWNS else "community"
    try:
        job = create_job(db.session, EXPORT_KINDS[form.kind.data], org, current_user.user,
                         {"organisation_id": org.id, "fiscal_year": year, "by": by})
        record(db.session, current_user.id, "export.request", job, kind=job.kind)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error_message(error), "error")
        return redirect(url_for("finance.execution"))
    dispatch(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))
