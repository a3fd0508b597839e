"""Who am I, my tokens, the organisations I see, and the API's own description."""

from __future__ import annotations

from flask import g
from flask_babel import force_locale
from sqlalchemy import select

from ledger.base import utcnow
from ledger.organisations import LEVELS, Organisation

from ..auth.access import visible_organisations
from ..auth.roles import ROLES
from ..extensions import db
from . import serialize
from .auth import principal
from .common import json_response, not_found, organisation, page, with_paging
from .models import ApiToken
from .openapi import document
from .problems import client_language
from .tokens import revoke_token, tokens_of
from .validation import choice, optional, parse_body, parse_query


def openapi():
    return json_response(document())


def me():
    parse_query({})
    who = principal()
    with force_locale(client_language()):
        roles = [
            {"role": a.role, "title": str(ROLES[a.role].title), "organisation": a.organisation.code,
             "actions": sorted(ROLES[a.role].actions)}
            for a in who.assignments
        ]
    return json_response({
        "username": who.user.username, "display_name": who.user.display_name,
        "token": {"id": g.api_token.id, "name": g.api_token.name},
        "roles": roles,
    })


def list_tokens():
    parse_query({})
    now = utcnow()
    return json_response({"items": [serialize.token(t, now) for t in tokens_of(db.session, principal().user)]})


def revoke(token_id: int):
    """Revoke one of the caller's own tokens (this one included)."""
    parse_body({}, required=False)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != principal().user.id:
        raise not_found()
    revoke_token(db.session, token, by=principal().user)
    db.session.commit()
    return json_response(serialize.token(token, utcnow()))


def list_organisations():
    params = parse_query(with_paging({"level": optional(choice(LEVELS))}))
    stmt = visible_organisations("org.view", params["level"], principal=principal())
    return json_response(page(stmt, params, serialize.organisation))


def get_organisation(code: str):
    parse_query({})
    org = organisation(code)
    children = db.session.scalars(
        select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.code)
    ).all()
    return json_response({**serialize.organisation(org), "children": [c.code for c in children]})
