"""URL rules of the evaluation area."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import controllers

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
bp.add_url_rule("/", "index", controllers.index, methods=["GET", "POST"])
bp.add_url_rule("/<int:evaluation_id>", "show", controllers.show)
bp.add_url_rule("/<int:evaluation_id>/items/<int:item_id>", "update_item", controllers.update_item, methods=["POST"])
bp.add_url_rule("/<int:evaluation_id>/refresh", "refresh", controllers.refresh_figures, methods=["POST"])
bp.add_url_rule("/<int:evaluation_id>/finalise", "finalise", controllers.finalise_evaluation, methods=["POST"])
bp.add_url_rule("/<int:evaluation_id>/self-evaluation.xlsx", "xlsx", controllers.download_xlsx)
bp.add_url_rule("/<int:evaluation_id>/report.pdf", "pdf", controllers.download_pdf)
bp.add_url_rule("/<int:evaluation_id>/print", "print_view", controllers.print_view)
bp.add_url_rule("/templates/<int:template_id>", "template", controllers.template, methods=["GET", "POST"])

register_nav("evaluation.index", _l("Evaluation"), "oversight.view", order=60)
