from flask import Blueprint

from . import controllers

bp = Blueprint("home", __name__)
bp.add_url_rule("/home", "index", controllers.index)
