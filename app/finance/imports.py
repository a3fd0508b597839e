"""Imports of opening balances, allocations and historical vouchers, and verifying the books.

An upload is checked at once by running the whole import inside a savepoint that is
rolled back (every cell and every posting rule, nothing kept), so the clerk sees the
row-by-row report immediately. A clean file becomes a job that two more clerks confirm:
the uploader prepares (制单), the first to confirm reviews (审核), the second posts (记账).
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.books import Book
from ledger.clerks import Clerks
from ledger.errors import DomainError, N_
from ledger.imports import import_allocations, import_opening_balances, import_vouchers
from ledger.organisations import Organisation
from ledger.users import User
from ledger.verify import verify_book

from ..audit import record
from ..auth.access import org_filter, require, visible_organisations
from ..auth.roles import ROLES
from ..extensions import db
from ..i18n import error_message
from ..jobs.kinds import message_of
from ..jobs.operations import create_job
from ..routing import id_or_none
from .forms import ImportForm

IMPORTS = {"opening": import_opening_balances, "allocations": import_allocations, "vouchers": import_vouchers}


def check_import(kind: str, data: bytes, filename: str, preparer: User, within: list[str]):
    """Run the import and undo it: the report says what would be posted, or which rows are wrong."""
    savepoint = db.session.begin_nested()
    try:
        reviewer, poster = (User(username=f"import-check-{uuid.uuid4().hex[:12]}", display_name="导入检查")
                            for _ in range(2))
        db.session.add_all([reviewer, poster])
        db.session.flush()
        return IMPORTS[kind](db.session, data, filename, Clerks(preparer, reviewer, poster), within=within)
    finally:
        savepoint.rollback()


def _home_organisation(action: str) -> Organisation:
    """The organisation a user holds ``action`` in (their street, for a finance clerk)."""
    for assignment in current_user.assignments:
        if action in ROLES[assignment.role].actions:
            return assignment.organisation
    abort(403)


def row_reports(report) -> list[dict]:
    return [{"line": e.line, "field": e.field, **message_of(e.template, **e.params)} for e in report.errors]


@login_required
def upload():
    require("books.post")
    form = ImportForm()
    rows = None
    if form.validate_on_submit():
        data, filename = form.file.data.read(), form.file.data.filename or "upload.csv"
        within = current_user.paths_for("books.post")
        try:
            report = check_import(form.kind.data, data, filename, current_user.user, within)
        except DomainError as error:
            db.session.rollback()
            form.file.errors = list(form.file.errors) + [error_message(error)]
            report = None
        if report is not None and report.ok and not report.created:
            form.file.errors = list(form.file.errors) + [_("The file has no rows to import.")]
            report = None  # an empty file is no job for other clerks to confirm
        if report is not None and report.ok:
            job = create_job(
                db.session, "finance.import", _home_organisation("books.post"), current_user.user,
                {"kind": form.kind.data, "filename": filename, "within": within}, action="books.post",
                payload=data, needs_confirmation=True,
                summary=[message_of(N_("Import %(file)s (%(kind)s): %(count)s vouchers will be posted."),
                                    file=filename, kind={c.value: c.label for c in form.kind.choices}[form.kind.data],
                                    count=report.created)],
            )
            record(db.session, current_user.id, "import.request", job, file=filename, kind=form.kind.data)
            db.session.commit()
            flash(_("The file is correct. Two more clerks must confirm the import before it is posted: a reviewer, then a poster."), "success")
            return redirect(url_for("jobs.show", job_id=job.id))
        if report is not None:
            db.session.rollback()
            rows = row_reports(report)
    return render_template("finance/imports.html", form=form, rows=rows)


@login_required
def verify_page():
    """"Verify the books": recompute hash chains, balances and numbering (``flask ledger verify``)."""
    require("books.view")
    roots = [o for o in db.session.scalars(visible_organisations("books.view")).all()]
    result = None
    if request.args.get("run"):
        books = db.session.scalars(
            select(Book).join(Organisation, Organisation.id == Book.organisation_id)
            .where(org_filter(current_user, "books.view")).order_by(Organisation.path, Book.fiscal_year)
        ).all()
        if request.args.get("org"):
            org_id = id_or_none(request.args["org"])
            root = db.session.get(Organisation, org_id) if org_id is not None else None
            if root is None or not current_user.can("books.view", root):
                abort(404)
            books = [b for b in books if b.organisation.path.startswith(root.path)]
        problems = [(b, p) for b in books for p in verify_book(db.session, b)]
        db.session.rollback()  # read only
        result = {"books": len(books), "problems": problems}
    return render_template("finance/verify.html", roots=roots, result=result)
