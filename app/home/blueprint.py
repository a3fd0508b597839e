from flask import Blueprint

from . import controllers

bp = Blueprint("home", __name__)
bp.add_url_rule("/home", "index", controllers.index)
bp.add_url_rule("/home/notifications/<int:notification_id>/read", "read_notification",
                controllers.read_notification, methods=["POST"])
