"""The organisation tree: view, add a child, rename, import from CSV."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ledger.errors import DomainError
from ledger.organisations import (
    Organisation, add_organisation, child_level, import_tree_csv, rename_organisation,
)

from ..audit import record
from ..auth.access import require, visible_organisations
from ..extensions import db
from ..web import show_error
from .forms import ImportTreeForm, OrganisationForm, RenameForm


def _load(org_id: int) -> Organisation:
    org = db.get_or_404(Organisation, org_id)
    require("org.manage", org)
    return org


@login_required
def tree():
    require("org.manage")
    orgs = db.session.scalars(visible_organisations("org.manage")).all()
    return render_template("admin/organisations.html", orgs=orgs, child_level=child_level)


@login_required
def rename(org_id: int):
    org = _load(org_id)
    form = RenameForm(obj=org)
    if form.validate_on_submit():
        try:
            old = org.name
            rename_organisation(org, form.name.data)
            record(db.session, current_user.id, "organisation.rename", org, old=old, new=org.name)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.organisations"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/organisation_form.html", form=form, org=org, parent=org.parent)


@login_required
def add_child(org_id: int):
    parent = _load(org_id)
    level = child_level(parent.level)
    if level is None:
        flash(_("A community has no units below it."), "error")
        return redirect(url_for("admin.organisations"))
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = add_organisation(db.session, form.code.data, form.name.data, level, parent)
            record(db.session, current_user.id, "organisation.create", org, code=org.code)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.organisations"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/organisation_form.html", form=form, org=None, parent=parent, level=level)


@login_required
def import_csv():
    require("org.manage")
    form = ImportTreeForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
            return render_template("admin/import_organisations.html", form=form, report=None)
        report = import_tree_csv(db.session, text, within=current_user.paths_for("org.manage"))
        if report.ok:
            record(db.session, current_user.id, "organisation.import", None,
                   created=report.created, updated=report.updated)
            db.session.commit()
            flash(_("Imported: %(created)d created, %(updated)d updated.",
                    created=report.created, updated=report.updated), "success")
            return redirect(url_for("admin.organisations"))
        db.session.rollback()
    return render_template("admin/import_organisations.html", form=form, report=report)
