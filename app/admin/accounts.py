"""The city's chart of accounts (会计科目表): the tree, sub-accounts, names, deactivation."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.accounts import Account, Chart, add_account, rename_account
from ledger.chart import set_account_active
from ledger.errors import DomainError

from ..audit import record
from ..auth.access import require
from ..extensions import db
from ..i18n import error_message
from ..terms import TERMS
from ..web import show_error
from .forms import AccountForm, ConfirmForm, RenameForm
from .purposes import managed_cities


def _load(account_id: int) -> Account:
    account = db.get_or_404(Account, account_id)
    require("config.manage", account.chart.city)
    return account


def _tree(chart: Chart) -> list[tuple[Account, int]]:
    """The chart's accounts in code order, each with its depth below a top-level account."""
    rows: list[tuple[Account, int]] = []

    def walk(account: Account, depth: int) -> None:
        rows.append((account, depth))
        for child in sorted(account.children, key=lambda a: a.code):
            walk(child, depth + 1)

    for account in chart.accounts:
        if account.parent_id is None:
            walk(account, 0)
    return rows


@login_required
def index():
    require("config.manage")
    charts = []
    for city in managed_cities():
        for chart in db.session.scalars(select(Chart).where(Chart.city_id == city.id).order_by(Chart.id)):
            rows = _tree(chart)
            charts.append((city, chart, [r for r in rows if r[0].basis == "financial"],
                           [r for r in rows if r[0].basis == "budget"]))
    return render_template("admin/accounts.html", charts=charts, confirm=ConfirmForm(), terms=TERMS)


@login_required
def add_child(account_id: int):
    parent = _load(account_id)
    form = AccountForm()
    if not form.is_submitted():
        form.code.data = parent.code
    if form.validate_on_submit():
        try:
            account = add_account(db.session, parent.chart, form.code.data, form.name.data, parent=parent)
            record(db.session, current_user.id, "account.create", account, code=account.code,
                   parent=parent.code, chart=parent.chart.name)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.accounts"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/account_form.html", form=form, parent=parent, account=None)


@login_required
def rename(account_id: int):
    account = _load(account_id)
    form = RenameForm(obj=account)
    if form.validate_on_submit():
        try:
            old = account.name
            rename_account(account, form.name.data)
            record(db.session, current_user.id, "account.rename", account, code=account.code, old=old,
                   new=account.name)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.accounts"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/account_form.html", form=form, parent=account.parent, account=account)


@login_required
def toggle(account_id: int):
    account = _load(account_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_account_active(db.session, account, not account.is_active)
            record(db.session, current_user.id, "account.active", account, code=account.code,
                   active=account.is_active)
            db.session.commit()
            flash(_("Reactivated.") if account.is_active else _("Deactivated."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("admin.accounts"))
