"""URL rules of the oversight area: read-only, GET only."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import controllers

bp = Blueprint("oversight", __name__, url_prefix="/oversight")
bp.add_url_rule("/", "index", controllers.index)
bp.add_url_rule("/projects/<int:project_id>", "project", controllers.project)
bp.add_url_rule("/<code>", "board", controllers.show)
bp.add_url_rule("/<code>/projects", "projects", controllers.projects)
bp.add_url_rule("/<code>/export.xlsx", "export_xlsx", controllers.export_xlsx)
bp.add_url_rule("/<code>/export/<table>.csv", "export_csv", controllers.export_csv)

register_nav("oversight.index", _l("Oversight"), "oversight.view", order=60)
