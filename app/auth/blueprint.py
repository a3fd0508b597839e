"""URL rules of the auth area."""

from flask import Blueprint

from ..extensions import limiter
from . import controllers

bp = Blueprint("auth", __name__)

login_view = limiter.limit(lambda: controllers.login_limit("ip"), methods=["POST"])(
    limiter.limit(lambda: controllers.login_limit("user"), methods=["POST"],
                  key_func=controllers.login_limit_key)(controllers.login)
)
bp.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", controllers.logout, methods=["POST"])
