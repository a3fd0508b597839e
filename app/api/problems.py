"""Errors as ``application/problem+json`` (RFC 9457), in English or, on request, Chinese.

Every refusal of the API is a problem document: ``type`` (a URI naming the kind of
problem), ``title`` (the same for every problem of a type), ``status``, ``detail`` (this
occurrence, in words a developer can act on), ``instance`` (the path asked for) and, for
invalid input, ``errors: [{field, message}]`` naming every field that was wrong.
The language follows ``Accept-Language``: English by default, Chinese for ``zh``.
"""

from __future__ import annotations

import json

from flask import Response, current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from ledger.budget import BudgetExceeded
from ledger.errors import DomainError
from ledger.posting import (
    AlreadyReversed, IdempotencyConflict, SeparationOfDuties, VoucherStateError,
)

from ..i18n import error_message

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "tag:community-funds,2026:problem:"

#: The kinds of problem, by slug: title and status.
TYPES = {
    "malformed-json": (_l("The request body is not valid JSON."), 400),
    "missing-header": (_l("A required header is missing or invalid."), 400),
    "not-authenticated": (_l("A valid API token is required."), 401),
    "forbidden": (_l("Your roles do not allow this."), 403),
    "not-found": (_l("No such resource, or you may not see it."), 404),
    "method-not-allowed": (_l("This method is not allowed on this resource."), 405),
    "idempotency-conflict": (_l("The Idempotency-Key was already used for a different request."), 409),
    "state-conflict": (_l("The resource's current state does not allow this."), 409),
    "too-large": (_l("The request body is too large."), 413),
    "unsupported-media-type": (_l("The request body must be JSON (Content-Type: application/json)."), 415),
    "validation": (_l("The request has invalid fields."), 422),
    "refused": (_l("The books or the process refused the request."), 422),
    "rate-limited": (_l("Too many requests. Wait a minute and try again."), 429),
    "server-error": (_l("Something went wrong on our side. Nothing was saved."), 500),
}
BY_STATUS = {
    400: "malformed-json", 401: "not-authenticated", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "state-conflict", 413: "too-large",
    415: "unsupported-media-type", 422: "validation", 429: "rate-limited", 500: "server-error",
}


class ApiProblem(Exception):
    """Raised anywhere in the API to answer with a problem document.

    ``detail`` and each error's message may be lazy strings or ``DomainError``s; they are
    rendered in the client's language when the response is built.
    """

    def __init__(self, slug: str, detail=None, errors=(), headers=None, status: int | None = None):
        super().__init__(slug)
        self.slug = slug
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.status = status or TYPES[slug][1]


def client_language() -> str:
    """``zh_CN`` when the client prefers Chinese, else ``en``."""
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans"], default="en")
    return "zh_CN" if best and best.lower().startswith("zh") else "en"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, DomainError):
        return error_message(value)
    return str(value)


def problem_response(problem: ApiProblem) -> Response:
    """The problem as a response in the client's language."""
    with force_locale(client_language()):
        title = str(TYPES[problem.slug][0])
        body = {
            "type": TYPE_BASE + problem.slug,
            "title": title,
            "status": problem.status,
            "detail": _text(problem.detail) or title,
            "instance": request.path,
        }
        if problem.errors:
            body["errors"] = [
                {"field": field, "message": _text(message)} for field, message in problem.errors
            ]
    response = Response(json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=MEDIA_TYPE)
    response.headers["Content-Language"] = "zh-CN" if client_language() == "zh_CN" else "en"
    response.headers["Vary"] = "Accept-Language, Authorization"
    response.headers["Cache-Control"] = "no-store"
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def from_domain_error(error: DomainError) -> ApiProblem:
    """A core's refusal as a problem: conflicts of state 409, duties 403, the rest 422."""
    if isinstance(error, IdempotencyConflict):
        return ApiProblem("idempotency-conflict", error, [("Idempotency-Key", error)])
    if isinstance(error, (VoucherStateError, AlreadyReversed)):
        return ApiProblem("state-conflict", error)
    if isinstance(error, SeparationOfDuties):
        return ApiProblem("forbidden", error)
    if isinstance(error, BudgetExceeded):
        breaches = [DomainError(b.template, **b.params) for b in error.breaches]
        return ApiProblem("refused", error, [("lines", b) for b in breaches])
    if error.field:
        return ApiProblem("validation", error, [(error.field, error)])
    return ApiProblem("refused", error)


def from_http_exception(error: HTTPException) -> ApiProblem:
    code = error.code or 500
    slug = BY_STATUS.get(code)
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if code == 429:
        headers["Retry-After"] = "60"
    if slug is None:
        return ApiProblem("server-error", status=code, detail=error.description if code < 500 else None)
    detail = None
    if code == 405:
        detail = _l("Allowed methods: %(methods)s.", methods=headers.get("Allow", "-"))
    return ApiProblem(slug, detail, headers=headers)


def handle_unexpected(error: Exception):
    """The last resort: log it, roll back, and still answer in problem+json."""
    from ..extensions import db

    db.session.rollback()
    current_app.logger.exception("unexpected error in the API")
    return problem_response(ApiProblem("server-error"))


def not_authenticated(detail) -> ApiProblem:
    return ApiProblem(
        "not-authenticated", detail,
        headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
    )
