"""URL rules of the auth area."""

from flask import Blueprint

from . import account, controllers

bp = Blueprint("auth", __name__)

bp.add_url_rule("/login", "login", controllers.login, methods=["GET", "POST"])  # limits: throttle.py
bp.add_url_rule("/logout", "logout", controllers.logout, methods=["POST"])
bp.add_url_rule("/account/password", "change_password", account.change_password, methods=["GET", "POST"])
