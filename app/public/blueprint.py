"""Pages for residents, without login: each community's public board and its three forms.

Every POST is limited per address (Flask-Limiter), so a script cannot flood a board.
"""

from flask import Blueprint, current_app

from ..extensions import limiter
from . import controllers, needs, notices, projects
from .formatting import HELPERS


def _post_limit() -> str:
    return current_app.config.get("PUBLIC_POST_RATE_LIMIT", "5 per minute")


def limited(view):
    return limiter.limit(_post_limit, methods=["POST"])(view)


bp = Blueprint("public", __name__)
bp.add_url_rule("/", "index", controllers.index)
bp.add_url_rule("/c/<code>", "board", controllers.community_board)
bp.add_url_rule("/c/<code>/notices/<int:notice_id>", "notice", notices.notice)
bp.add_url_rule("/c/<code>/notices/<int:notice_id>/objections", "object",
                limited(notices.object_to_notice), methods=["POST"])
bp.add_url_rule("/c/<code>/projects/<int:project_id>", "project", projects.project)
bp.add_url_rule("/c/<code>/projects/<int:project_id>/rating", "rate",
                limited(projects.rate_project), methods=["POST"])
bp.add_url_rule("/c/<code>/needs/new", "new_need", limited(needs.new_need), methods=["GET", "POST"])
bp.add_url_rule("/c/<code>/needs/thanks", "need_thanks", needs.need_thanks)


@bp.context_processor
def helpers():
    return HELPERS
