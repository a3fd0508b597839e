"""What the API's handlers share: JSON responses, loading scoped objects, running a core."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from flask import Response
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError

from ledger.errors import DomainError
from ledger.organisations import Organisation, by_code

from ..extensions import db
from .auth import allow
from .problems import ApiProblem, from_domain_error
from .validation import Field, int_param, optional

T = TypeVar("T")

PAGING = {"page": optional(int_param(1, 1_000_000), 1), "per_page": optional(int_param(1, 200), 50)}


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def not_found(what=None) -> ApiProblem:
    return ApiProblem("not-found", what)


def get_or_404(model: type[T], object_id: int) -> T:
    found = db.session.get(model, object_id)
    if found is None:
        raise not_found()
    return found


def organisation(code: str, action: str = "org.view") -> Organisation:
    """The organisation ``code``, checked for ``action`` (404 when unknown or not visible)."""
    org = by_code(db.session, code) if len(code) <= 32 else None
    if org is None:
        raise not_found(_l("No organisation %(code)s that you may see.", code=code))
    allow(action, org)
    return org


def run(work: Callable[[], T]) -> T:
    """Run a core's write; a refusal rolls everything back and becomes a problem document."""
    try:
        return work()
    except DomainError as error:
        db.session.rollback()
        raise from_domain_error(error) from None
    except (IntegrityError, DataError):
        db.session.rollback()
        raise ApiProblem("state-conflict", _l("The request conflicts with data already stored; "
                                              "reload it and try again.")) from None


def page(stmt, params: dict, render: Callable) -> dict:
    """One page of ``stmt``'s rows with the paging figures."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    per_page, number = params["per_page"], params["page"]
    rows = db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).all()
    return {
        "items": [render(row) for row in rows], "page": number, "per_page": per_page,
        "total": total, "pages": (total + per_page - 1) // per_page,
    }


def with_paging(fields: dict[str, Field]) -> dict[str, Field]:
    return {**fields, **PAGING}
