"""Routes of the JSON API (/api/v1).

Only a bearer token authenticates the API; a browser's login cookie never does (the API
is exempt from CSRF, so a cookie must not be enough). The matrix's clients carry only
cookies, so every API route must answer them — each role and the anonymous visitor
alike — ``401`` with ``application/problem+json`` and change nothing: these routes are
marked ``api=True``, which the matrix checks. The per-role access with tokens, inside
and outside each role's organisations, is tested in ``tests/app/test_api_auth.py``.
``allowed`` stays empty: no cookie-only client is ever allowed.
"""

from __future__ import annotations

from sqlalchemy import select

from ledger.books import Book
from ledger.organisations import by_code
from ledger.vouchers import Voucher
from workflows.needs import Need
from workflows.projects import Project

from . import Route

NOBODY = frozenset()


def _get(url: str, scoped: bool = False) -> Route:
    return Route("GET", url, NOBODY, scoped, api=True)


def _post(url: str, scoped: bool = False, data: dict | None = None) -> Route:
    return Route("POST", url, NOBODY, scoped, data or {}, api=True)


ROUTES = {
    "api.openapi": Route("GET", "/api/v1/openapi.json", frozenset(), public=True),  # the description is public
    "api.me": _get("/api/v1/me"),
    "api.tokens": _get("/api/v1/tokens"),
    "api.revoke_token": _post("/api/v1/tokens/{api_token}/revoke"),
    "api.organisations": _get("/api/v1/organisations"),
    "api.organisation": _get("/api/v1/organisations/{api_org}", True),
    "api.needs": _get("/api/v1/organisations/{api_org}/needs", True),
    "api.create_need": _post("/api/v1/organisations/{api_org}/needs", True,
                             {"channel": "visit", "received_on": "2026-02-01", "description": "路灯坏了"}),
    "api.trial_balance": _get("/api/v1/organisations/{api_org}/trial-balance?fiscal_year=2026", True),
    "api.execution": _get("/api/v1/organisations/{api_org}/execution?fiscal_year=2026", True),
    "api.books": _get("/api/v1/books"),
    "api.book": _get("/api/v1/books/{api_book}", True),
    "api.vouchers": _get("/api/v1/books/{api_book}/vouchers", True),
    "api.create_voucher": _post("/api/v1/books/{api_book}/vouchers", True, {"description": "x"}),
    "api.create_allocation": _post("/api/v1/books/{api_book}/allocations", True,
                                   {"source": "district", "amount": "1.00", "arrived_on": "2026-02-01"}),
    "api.voucher": _get("/api/v1/vouchers/{api_voucher}", True),
    "api.review_voucher": _post("/api/v1/vouchers/{api_voucher}/review", True),
    "api.post_voucher": _post("/api/v1/vouchers/{api_voucher}/post", True),
    "api.reverse_voucher": _post("/api/v1/vouchers/{api_voucher}/reverse", True),
    "api.projects": _get("/api/v1/projects"),
    "api.project": _get("/api/v1/projects/{api_project}", True),
    "api.need": _get("/api/v1/needs/{api_need}", True),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def targets(session, scope: str) -> dict:
    """Ids in the scope's community; 0 where the world has none (the route still matches)."""
    org = by_code(session, COMMUNITY[scope])
    if org is None:
        return {"api_org": COMMUNITY[scope], "api_book": 0, "api_voucher": 0, "api_project": 0,
                "api_need": 0, "api_token": 0}
    book = session.scalar(select(Book.id).where(Book.organisation_id == org.id).order_by(Book.fiscal_year.desc()))
    voucher = session.scalar(select(Voucher.id).where(Voucher.book_id == book).order_by(Voucher.id)) if book else None
    project = session.scalar(select(Project.id).where(Project.community_id == org.id).order_by(Project.id))
    need = session.scalar(select(Need.id).where(Need.community_id == org.id).order_by(Need.id))
    return {"api_org": org.code, "api_book": book or 0, "api_voucher": voucher or 0,
            "api_project": project or 0, "api_need": need or 0, "api_token": 0}
