"""Pages for residents, without login: each community's public board and its three forms.

The forms' POSTs count against a generous ceiling per address (``throttle.py``), so a script
cannot flood a board while a meeting on one Wi-Fi can still rate.
"""

from flask import Blueprint

from . import controllers, needs, notices, projects
from .formatting import HELPERS


bp = Blueprint("public", __name__)
bp.add_url_rule("/", "index", controllers.index)
bp.add_url_rule("/c/<code>", "board", controllers.community_board)
bp.add_url_rule("/c/<code>/notices/<int:notice_id>", "notice", notices.notice)
bp.add_url_rule("/c/<code>/notices/<int:notice_id>/objections", "object",
                notices.object_to_notice, methods=["POST"])
bp.add_url_rule("/c/<code>/projects/<int:project_id>", "project", projects.project)
bp.add_url_rule("/c/<code>/projects/<int:project_id>/rating", "rate",
                projects.rate_project, methods=["POST"])
bp.add_url_rule("/c/<code>/needs/new", "new_need", needs.new_need, methods=["GET", "POST"])
bp.add_url_rule("/c/<code>/needs/thanks", "need_thanks", needs.need_thanks)


@bp.context_processor
def helpers():
    return HELPERS
