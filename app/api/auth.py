"""Who is calling: a bearer token, and nothing else.

A browser's login cookie never authenticates the API: a page on another site could make
the browser send it, and token-authenticated requests are exempt from CSRF checks. So
the API reads only the ``Authorization: Bearer <token>`` header and answers 401 without
one, whatever cookies come along. The token acts with its user's roles and scope,
through the same ``Principal`` and ``app/auth/access.py`` checks as the web pages.
"""

from __future__ import annotations

from flask import g
from flask import request
from flask_babel import lazy_gettext as _l

from ledger.organisations import Organisation

from ..auth.access import Principal, load_assignments, require
from ..extensions import db
from .problems import ApiProblem, not_authenticated
from .tokens import find_token

#: Endpoints anyone may read without a token.
PUBLIC_ENDPOINTS = {"api.openapi"}


def authenticate() -> None:
    """``before_request`` of the blueprint: set ``g.api_principal`` or answer 401."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise not_authenticated(_l("Send the header Authorization: Bearer <token>. Browser logins do "
                                   "not authenticate the API."))
    if scheme.lower() != "bearer" or not secret.strip():
        raise not_authenticated(_l("Use the Bearer scheme: Authorization: Bearer <token>."))
    token = find_token(db.session, secret.strip())
    if token is None:
        db.session.rollback()
        raise not_authenticated(_l("The token is unknown, revoked or expired, or its user is disabled."))
    principal = Principal(user=token.user, login=None, token="",
                          assignments=load_assignments(db.session, token.user))
    db.session.commit()  # the token's last use, kept even if the request is then refused
    g.api_token = token
    g.api_principal = principal


def principal() -> Principal:
    return g.api_principal


def allow(action: str, org: Organisation | None = None) -> None:
    """``require`` for the token's principal: 404 when the organisation is not visible, 403 else."""
    require(action, org, principal=principal())


def forbid_unless(condition: bool, detail=None) -> None:
    if not condition:
        raise ApiProblem("forbidden", detail)
