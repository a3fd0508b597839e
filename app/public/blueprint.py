from flask import Blueprint

from . import controllers

bp = Blueprint("public", __name__)
bp.add_url_rule("/", "index", controllers.index)
