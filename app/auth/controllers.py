"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ledger.users import User, named

from ..audit import record
from ..extensions import db
from . import throttle
from .access import Principal, load_assignments
from .forms import LoginForm, LogoutForm
from .passwords import verify_password
from .sessions import end_session, start_session


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host.

    Browsers read ``/\\host`` like ``//host``, so backslashes and control characters are
    refused along with schemes and hosts.
    """
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        clean = "\\" not in target and all(ch.isprintable() for ch in target)
        if clean and not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    refused = throttle.address_refusal() if request.method == "POST" else None
    if refused is None and form.validate_on_submit():
        refused = throttle.account_refusal(form.username.data)
        if refused is None:
            return _check_password(form)
    if refused:  # the form again, with why: never a bare 429 page
        form.password.errors = [*form.password.errors, refused]
        return render_template("auth/login.html", form=form), 429
    return render_template("auth/login.html", form=form)


def _check_password(form: LoginForm):
    """The login itself, once the attempt is within the limits."""
    user = db.session.scalar(select(User).where(named(form.username.data)))
    password_ok = verify_password(user.password_hash if user else None, form.password.data)
    if user is None or not password_ok or not user.is_active:
        record(db.session, None, "login.failed", user,
               username=form.username.data[:64], remote_addr=request.remote_addr)
        db.session.commit()
        form.password.errors.append(_("Wrong user name or password, or the account is disabled."))
        return render_template("auth/login.html", form=form), 200
    next_url = _safe_next(request.args.get("next"))
    session.clear()  # a fresh session: nothing from before the login survives
    token = start_session(db.session, user, request.remote_addr, request.user_agent.string)
    record(db.session, user.id, "login", user, remote_addr=request.remote_addr)
    db.session.commit()
    login_user(Principal(user=user, login=None, token=token,
                         assignments=load_assignments(db.session, user)))
    response = redirect(next_url)
    throttle.succeeded(form.username.data, response)
    return response


@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        end_session(current_user.login)
        record(db.session, current_user.id, "logout", current_user.user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have logged out."), "info")
        return redirect(url_for("public.index"))
    return redirect(url_for("home.index"))


