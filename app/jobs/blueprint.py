"""URL rules of the jobs area."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import controllers, tasks  # noqa: F401  (tasks: the worker registers run_job)

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
bp.add_url_rule("/", "index", controllers.index)
bp.add_url_rule("/<int:job_id>", "show", controllers.show)
bp.add_url_rule("/<int:job_id>/download", "download", controllers.download)
bp.add_url_rule("/<int:job_id>/confirm", "confirm", controllers.confirm, methods=["POST"])

register_nav("jobs.index", _l("Background jobs"), "books.view", order=70)
