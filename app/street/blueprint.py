"""URL rules of the street area: the committee's dashboard, review queue and plan reviews."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import dashboard, links, overrides, plans, review

bp = Blueprint("street", __name__, url_prefix="/street")
bp.add_url_rule("/", "index", dashboard.index)
bp.add_url_rule("/<street_code>", "dashboard", dashboard.dashboard)
bp.add_url_rule("/<street_code>/dashboard.xlsx", "dashboard_xlsx", dashboard.dashboard_xlsx)
bp.add_url_rule("/<street_code>/review", "queue", review.queue)
bp.add_url_rule("/<street_code>/review/<int:project_id>", "project", review.project)
bp.add_url_rule("/<street_code>/review/<int:project_id>/approve", "approve", review.approve, methods=["POST"])
bp.add_url_rule("/<street_code>/review/<int:project_id>/return", "return_project", review.return_project,
                methods=["POST"])
bp.add_url_rule("/<street_code>/review/<int:project_id>/reject", "reject", review.reject, methods=["POST"])
bp.add_url_rule("/<street_code>/review/<int:project_id>/fast-approve", "fast_approve", review.fast_approve,
                methods=["POST"])
bp.add_url_rule("/<street_code>/overrides", "overrides", overrides.index)
bp.add_url_rule("/<street_code>/overrides/<int:request_id>/answer", "answer_override", overrides.answer,
                methods=["POST"])
bp.add_url_rule("/<street_code>/plans", "plans", plans.index)
bp.add_url_rule("/<street_code>/plans/<community_code>/<int:year>", "plan", plans.show)
bp.add_url_rule("/<street_code>/plans/<community_code>/<int:year>/review", "review_plan", plans.review,
                methods=["POST"])

register_nav("street.index", _l("Street review"), "project.review", order=30)
links.register(bp)
