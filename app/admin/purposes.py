"""The city's positive and negative lists of fund uses (正面清单 / 负面清单)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.dimensions import PurposeCategory
from ledger.errors import DomainError
from ledger.organisations import Organisation
from ledger.purpose_lists import add_purpose, set_purpose_active, update_purpose

from ..audit import record
from ..auth.access import require, visible_organisations
from ..extensions import db
from ..i18n import error_message
from ..web import show_error
from .forms import ConfirmForm, PurposeEditForm, PurposeForm


def managed_cities() -> list[Organisation]:
    """The cities whose configuration the administrator manages."""
    return db.session.scalars(visible_organisations("config.manage", level="city")).all()


def load_city(city_id: int) -> Organisation:
    city = db.get_or_404(Organisation, city_id)
    require("config.manage", city)
    if city.level != "city":
        abort(404)
    return city


def _load(purpose_id: int) -> PurposeCategory:
    category = db.get_or_404(PurposeCategory, purpose_id)
    require("config.manage", db.session.get(Organisation, category.city_id))
    return category


@login_required
def index():
    require("config.manage")
    lists = []
    for city in managed_cities():
        rows = db.session.scalars(
            select(PurposeCategory).where(PurposeCategory.city_id == city.id)
            .order_by(PurposeCategory.listed.desc(), PurposeCategory.code)
        ).all()
        lists.append((city, [r for r in rows if not r.is_negative], [r for r in rows if r.is_negative]))
    return render_template("admin/purposes.html", lists=lists, confirm=ConfirmForm())


@login_required
def new(city_id: int):
    city = load_city(city_id)
    form = PurposeForm()
    if form.validate_on_submit():
        try:
            category = add_purpose(db.session, city, form.code.data, form.name.data,
                                   form.listed.data, form.keywords.data or "")
            record(db.session, current_user.id, "purpose.create", category, city=city.code,
                   listed=category.listed, keywords=category.keywords)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.purposes"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/purpose_form.html", form=form, city=city, category=None)


@login_required
def edit(purpose_id: int):
    category = _load(purpose_id)
    form = PurposeEditForm(obj=category)
    if form.validate_on_submit():
        try:
            old = {"name": category.name, "keywords": category.keywords}
            update_purpose(db.session, category, form.name.data, form.keywords.data or "")
            record(db.session, current_user.id, "purpose.update", category, code=category.code, old=old,
                   new={"name": category.name, "keywords": category.keywords})
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.purposes"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/purpose_form.html", form=form, city=None, category=category)


@login_required
def toggle(purpose_id: int):
    category = _load(purpose_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_purpose_active(db.session, category, not category.is_active)
            record(db.session, current_user.id, "purpose.active", category, code=category.code,
                   active=category.is_active)
            db.session.commit()
            flash(_("Reactivated.") if category.is_active else _("Deactivated."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("admin.purposes"))
