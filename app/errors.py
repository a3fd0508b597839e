"""Error pages in the user's language; nothing a user types may produce a bare 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

TITLES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do this."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}
OTHER = _l("The request could not be completed.")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form expired or did not come from this site. Please reload the page and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        message = str(TITLES.get(code, OTHER))
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unexpected error")
        try:
            return render_template("errors/error.html", code=500, message=str(TITLES[500])), 500
        except Exception:  # the page itself is broken: answer plainly rather than not at all
            app.logger.exception("the error page failed")
            return "500", 500, {"Content-Type": "text/plain; charset=utf-8"}
