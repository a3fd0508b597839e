"""Users and their roles, within the organisations the administrator manages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import exists, select

from ledger.errors import DomainError
from ledger.organisations import Organisation
from ledger.users import User

from ..auth.access import org_filter, require, visible_organisations
from ..auth.credentials import reset_password
from ..auth.models import RoleAssignment
from ..auth.operations import assign_role, create_user, revoke_role, set_active
from ..auth.roles import ROLES
from ..extensions import db
from ..i18n import error_message
from ..web import options, show_error
from .forms import ConfirmForm, RoleForm, UserForm


def _managed_users():
    """Users holding at least one role inside the administrator's organisations."""
    managed = (
        select(RoleAssignment.id)
        .join(RoleAssignment.organisation)
        .where(RoleAssignment.user_id == User.id, org_filter(current_user, "user.manage"))
    )
    return select(User).where(exists(managed)).order_by(User.username)


def _load_user(user_id: int) -> User:
    require("user.manage")
    user = db.session.scalar(_managed_users().where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def _load_whole_user(user_id: int) -> User:
    """A user whose every role lies inside the administrator's organisations: what changes
    the account itself (its password, whether it may log in) reaches all its roles, so an
    administrator whose scope covers only some of them may not do it."""
    user = _load_user(user_id)
    elsewhere = db.session.scalar(
        select(RoleAssignment.id).join(RoleAssignment.organisation)
        .where(RoleAssignment.user_id == user.id, ~org_filter(current_user, "user.manage")).limit(1))
    if elsewhere is not None:
        abort(403)
    return user


def _fill_choices(form: RoleForm) -> None:
    form.role.choices = options([(name, str(role.title)) for name, role in ROLES.items()])
    orgs = db.session.scalars(visible_organisations("user.manage")).all()
    form.organisation.choices = options([(o.id, f"{o.name} ({o.code})") for o in orgs])


def _chosen_org(form: RoleForm) -> Organisation:
    org = db.session.get(Organisation, form.organisation.data)
    require("user.manage", org)
    return org


@login_required
def index():
    require("user.manage")
    users = db.session.scalars(_managed_users()).all()
    return render_template("admin/users.html", users=users, roles=ROLES)


@login_required
def new():
    require("user.manage")
    form = UserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            user = create_user(
                db.session, form.username.data, form.display_name.data, form.password.data,
                role=form.role.data, org=_chosen_org(form), by=current_user.user,
                fast_hash=current_app.config.get("PASSWORD_HASH_FAST", False),
            )
            db.session.commit()
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for("admin.user", user_id=user.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/user_new.html", form=form)


@login_required
def show(user_id: int):
    user = _load_user(user_id)
    form = RoleForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            assign_role(db.session, user, form.role.data, _chosen_org(form), by=current_user.user)
            db.session.commit()
            flash(_("Role added."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    assignments = db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.id)
    ).all()
    return render_template(
        "admin/user.html", user=user, form=form, assignments=assignments,
        roles=ROLES, confirm=ConfirmForm(),
    )


@login_required
def toggle_active(user_id: int):
    user = _load_whole_user(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_active(db.session, user, not user.is_active, by=current_user.user)
            db.session.commit()
            flash(_("Account enabled.") if user.is_active
                  else _("Account disabled; its sessions have ended and its API tokens are revoked."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("admin.user", user_id=user.id))


@login_required
def reset(user_id: int):
    """Give the user a temporary password, shown on this answer only (never in a cookie)."""
    user = _load_whole_user(user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.user", user_id=user.id))
    try:
        temporary = reset_password(db.session, user, by=current_user.user,
                                   fast_hash=current_app.config.get("PASSWORD_HASH_FAST", False))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error_message(error), "error")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/password_reset.html", user=user, temporary=temporary)


@login_required
def revoke(user_id: int, assignment_id: int):
    user = _load_user(user_id)
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != user.id:
        abort(404)
    require("user.manage", assignment.organisation)
    if ConfirmForm().validate_on_submit():
        revoke_role(db.session, assignment, by=current_user.user)
        db.session.commit()
        flash(_("Role removed."), "success")
    return redirect(url_for("admin.user", user_id=user.id))
