"""URL rules of the JSON API under /api/v1, and how it answers errors (problem+json).

Token-authenticated: the blueprint is exempt from CSRF because a browser's cookies never
authenticate it (``auth.py``). Every error of the API, including a URL that does not
exist or a method it does not allow, is a problem document (``problems.py``).
"""

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ledger.errors import DomainError

from ..extensions import csrf, db, limiter
from . import books, meta, projects, reports
from .auth import authenticate
from .problems import (
    ApiProblem, from_domain_error, from_http_exception, handle_unexpected, problem_response,
)

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

#: (rule, endpoint, view, methods): the whole API, in the order of its description.
RULES = [
    ("/openapi.json", "openapi", meta.openapi, ["GET"]),
    ("/me", "me", meta.me, ["GET"]),
    ("/tokens", "tokens", meta.list_tokens, ["GET"]),
    ("/tokens/<int:token_id>/revoke", "revoke_token", meta.revoke, ["POST"]),
    ("/organisations", "organisations", meta.list_organisations, ["GET"]),
    ("/organisations/<code>", "organisation", meta.get_organisation, ["GET"]),
    ("/organisations/<code>/needs", "needs", projects.list_needs, ["GET"]),
    ("/organisations/<code>/needs", "create_need", projects.create_need, ["POST"]),
    ("/organisations/<code>/trial-balance", "trial_balance", reports.trial_balance_report, ["GET"]),
    ("/organisations/<code>/execution", "execution", reports.execution_report, ["GET"]),
    ("/books", "books", books.list_books, ["GET"]),
    ("/books/<int:book_id>", "book", books.get_book, ["GET"]),
    ("/books/<int:book_id>/vouchers", "vouchers", books.list_vouchers, ["GET"]),
    ("/books/<int:book_id>/vouchers", "create_voucher", books.create_voucher, ["POST"]),
    ("/books/<int:book_id>/allocations", "create_allocation", books.create_allocation, ["POST"]),
    ("/vouchers/<int:voucher_id>", "voucher", books.get_voucher, ["GET"]),
    ("/vouchers/<int:voucher_id>/review", "review_voucher", books.review, ["POST"]),
    ("/vouchers/<int:voucher_id>/post", "post_voucher", books.post, ["POST"]),
    ("/vouchers/<int:voucher_id>/reverse", "reverse_voucher", books.reverse, ["POST"]),
    ("/projects", "projects", projects.list_projects, ["GET"]),
    ("/projects/<int:project_id>", "project", projects.get_project, ["GET"]),
    ("/needs/<int:need_id>", "need", projects.get_need, ["GET"]),
]
for rule, endpoint, view, methods in RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)

csrf.exempt(bp)


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600 per minute")


limiter.limit(_rate_limit)(bp)
bp.before_request(authenticate)


@bp.before_app_request
def routing_errors_as_problems():
    """A URL under /api/v1 that matches no rule (404) or not this method (405): problem+json.

    Flask raises routing errors outside any blueprint, so the blueprint's error handlers
    would not see them; this hook answers them before the HTML error pages do.
    """
    error = request.routing_exception
    if error is None or isinstance(error, RequestRedirect):
        return None
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return None
    return problem_response(from_http_exception(error))


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem):
    return problem_response(error)


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    return problem_response(from_domain_error(error))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return problem_response(from_http_exception(error))


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    return handle_unexpected(error)
