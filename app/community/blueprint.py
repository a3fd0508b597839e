"""URL rules of the community area (the community secretary's work)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import dashboard, household_codes, needs, payments, plans, projects, records
from .views import HELPERS

bp = Blueprint("community", __name__, url_prefix="/community")
bp.add_url_rule("/", "index", dashboard.index)
bp.add_url_rule("/<code>", "dashboard", dashboard.dashboard)
bp.add_url_rule("/<code>/needs", "needs", needs.index)
bp.add_url_rule("/<code>/needs/new", "new_need", needs.new, methods=["GET", "POST"])
bp.add_url_rule("/<code>/needs/merge", "merge_needs", needs.merge, methods=["POST"])
bp.add_url_rule("/needs/<int:need_id>", "need", needs.show, methods=["GET", "POST"])
bp.add_url_rule("/<code>/plan", "plan", plans.show)
bp.add_url_rule("/<code>/plan/submit", "submit_plan", plans.submit, methods=["POST"])
bp.add_url_rule("/<code>/projects/new", "new_project", projects.new, methods=["GET", "POST"])
bp.add_url_rule("/<code>/payments", "payments", payments.index)
bp.add_url_rule("/<code>/household-codes", "household_codes", household_codes.sheet)
bp.add_url_rule("/projects/<int:project_id>", "project", projects.show)
bp.add_url_rule("/projects/<int:project_id>/events/<event>", "fire", projects.fire, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/estimate", "revise_estimate", projects.revise, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/follow-up", "follow_up", projects.follow_up, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/meetings", "new_meeting", records.new_meeting, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/evidence", "upload_evidence", records.upload_evidence,
                methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/ratings", "rate", records.rate, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/payments/new", "new_payment", payments.new, methods=["GET", "POST"])
bp.add_url_rule("/evidence/<int:evidence_id>", "evidence", records.download)
bp.add_url_rule("/objections/<int:objection_id>/answer", "answer", records.answer, methods=["POST"])

bp.context_processor(lambda: HELPERS)

register_nav("community.index", _l("My community"), "community.work", order=20)
