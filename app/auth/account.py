"""The logged-in user's own account: changing the password (修改密码)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ledger.errors import DomainError

from .. import throttle
from ..extensions import db
from ..web import show_error
from .credentials import change_password as change
from .forms import PasswordChangeForm
from .password_rules import MIN_LENGTH

#: Where a user whose password was reset may still go (everything else sends them to the form).
OPEN_WHILE_RESET = {"auth.change_password", "auth.logout", "static"}


@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not throttle.hit(current_app.config["PASSWORD_CHANGE_RATE_LIMIT"], "password-change", str(current_user.id)):
            form.current_password.errors.append(
                _("Too many attempts to change the password. Please wait a minute and try again."))
            return render_template("auth/password.html", form=form, min_length=MIN_LENGTH), 429
        try:
            revoked = change(db.session, current_user.user, form.current_password.data, form.new_password.data,
                             keep=current_user.login, fast_hash=current_app.config.get("PASSWORD_HASH_FAST", False))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error, aliases={"password": "new_password"})
        else:
            throttle.clear(current_app.config["PASSWORD_CHANGE_RATE_LIMIT"], "password-change", str(current_user.id))
            flash(_("Your password has been changed and your other logins have ended."), "success")
            if revoked:
                flash(_("%(count)d API tokens were revoked: make new ones for the software that used them.",
                        count=revoked), "info")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, min_length=MIN_LENGTH)


def require_password_change():
    """``before_request``: a user whose password was reset may only change it or log out."""
    if request.blueprint == "api" or request.endpoint in OPEN_WHILE_RESET or request.endpoint is None:
        return None  # the API refuses such a user's tokens itself
    if current_user.is_authenticated and current_user.user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return None
