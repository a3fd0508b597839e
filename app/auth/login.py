"""Flask-Login wired to the server-side sessions: the cookie holds a token, not a user id."""

from __future__ import annotations

from flask import current_app, session
from flask_babel import lazy_gettext as _l

from ..extensions import db
from .access import Anonymous, Principal, load_assignments
from .account import require_password_change
from .sessions import find_session

SESSION_TOKEN_KEY = "_user_id"  # Flask-Login's own key: the value is our token


def init_login(app, login_manager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = None  # the server-side session is the protection
    app.before_request(require_password_change)

    @login_manager.user_loader
    def load_principal(token: str):
        login = find_session(db.session, token, current_app.config["SESSION_IDLE_SECONDS"])
        if login is None:
            session.clear()
            return None
        return Principal(
            user=login.user, login=login, token=token,
            assignments=load_assignments(db.session, login.user),
        )
