"""URL rules of the finance area (the street finance office's books), and its nav entries."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..nav import register_nav
from . import books, imports, reports, targets, tasks, vouchers  # noqa: F401  (tasks: job kinds)
from .common import fin_status, override_status

bp = Blueprint("finance", __name__, url_prefix="/finance")
rule = bp.add_url_rule
rule("/", "index", books.index)
rule("/books/open", "open_book", books.open_new_book, methods=["POST"])
rule("/books/<int:book_id>", "book", books.book)
rule("/books/<int:book_id>/allocations", "allocations", books.allocations, methods=["GET", "POST"])
rule("/books/<int:book_id>/close-period", "close_period", books.close_month, methods=["GET", "POST"])
rule("/books/<int:book_id>/year-end", "year_end", books.year_end, methods=["GET", "POST"])
rule("/books/<int:book_id>/vouchers/new", "new_voucher", vouchers.new, methods=["GET", "POST"])
rule("/books/<int:book_id>/trial-balance", "trial_balance", reports.trial)
rule("/books/<int:book_id>/ledger", "ledger", reports.ledger)
rule("/vouchers/<int:voucher_id>", "voucher", vouchers.show)
rule("/vouchers/<int:voucher_id>/review", "review_voucher", vouchers.review, methods=["POST"])
rule("/vouchers/<int:voucher_id>/post", "post_voucher", vouchers.post, methods=["POST"])
rule("/vouchers/<int:voucher_id>/override-request", "request_override", vouchers.request_override, methods=["POST"])
rule("/vouchers/<int:voucher_id>/return", "return_voucher", vouchers.return_draft, methods=["POST"])
rule("/vouchers/<int:voucher_id>/discard", "discard_voucher", vouchers.discard, methods=["POST"])
rule("/vouchers/<int:voucher_id>/reverse", "reverse_voucher", vouchers.reverse, methods=["GET", "POST"])
rule("/queue", "queue", vouchers.queue)
rule("/execution", "execution", reports.execution)
rule("/exports", "export_job", reports.export_job, methods=["POST"])
rule("/targets", "targets", targets.targets)
rule("/targets/set", "set_target", targets.set_planned, methods=["POST"])
rule("/imports", "imports", imports.upload, methods=["GET", "POST"])
rule("/verify", "verify", imports.verify_page)

bp.add_app_template_global(fin_status, "fin_status")
bp.add_app_template_global(override_status, "override_status")

register_nav("finance.index", _l("Books"), "books.view", order=40)
register_nav("finance.queue", _l("To review and post"), "books.post", order=41)
