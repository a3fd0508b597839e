"""Projects (read, with their history) and the needs pool (read, add) through the API."""

from __future__ import annotations

import hashlib
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.figures import project_spent
from ledger.organisations import Organisation
from ledger.users import User
from workflows.events import history
from workflows.needs import CHANNELS, STATUSES as NEED_STATUSES, Need, add_need
from workflows.projects import Project

from ..auth.access import scope
from ..extensions import db
from . import serialize
from .auth import allow, principal
from .common import get_or_404, json_response, organisation, page, run, with_paging
from .models import ApiRequestKey
from .problems import ApiProblem
from .validation import (
    Field, choice, date, idempotency_key, int_param, optional, parse_body, parse_query, string, text_param,
)

NEED = {
    "channel": Field(choice(CHANNELS)),
    "received_on": Field(date),
    "category": optional(string(64, allow_blank=True), ""),
    "description": Field(string(2000)),
}


def list_projects():
    params = parse_query(with_paging({
        "organisation": optional(text_param(32)),
        "state": optional(text_param(32)),
        "plan_year": optional(int_param(2000, 2999)),
    }))
    stmt = scope(
        select(Project).join(Organisation, Organisation.id == Project.community_id), "project.view", principal()
    ).order_by(Organisation.path, Project.plan_year.desc(), Project.code)
    if params["organisation"]:
        org = organisation(params["organisation"], "project.view")
        stmt = stmt.where(Organisation.path.startswith(org.path, autoescape=True))
    if params["state"]:
        stmt = stmt.where(Project.state == params["state"])
    if params["plan_year"]:
        stmt = stmt.where(Project.plan_year == params["plan_year"])
    return json_response(page(stmt, params, serialize.project))


def get_project(project_id: int):
    parse_query({})
    project = get_or_404(Project, project_id)
    allow("project.view", project.community)
    events = history(db.session, project)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    usernames = dict(db.session.execute(
        select(User.id, User.username).where(User.id.in_(actor_ids))
    ).all()) if actor_ids else {}
    data = serialize.project(project)
    data.update(
        description=project.description,
        budget=[{"source": line.funding_source_code, "amount": serialize.amount(line.amount)}
                for line in project.budget_lines],
        needs=sorted(need.id for need in project.needs),
        spent=serialize.amount(project_spent(db.session, project.ledger_project_id, "budget"))
        if project.ledger_project_id else "0.00",
        history=[serialize.event(e, usernames) for e in events],
    )
    return json_response(data)


def list_needs(code: str):
    params = parse_query(with_paging({"status": optional(choice(NEED_STATUSES))}))
    community = organisation(code, "project.view")
    stmt = select(Need).where(Need.community_id == community.id)
    if params["status"]:
        stmt = stmt.where(Need.status == params["status"])
    stmt = stmt.order_by(Need.received_on.desc(), Need.id.desc())
    return json_response(page(stmt, params, lambda n: serialize.need(n, community.code)))


def _digest(body: dict) -> str:
    text = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_need(code: str):
    """Add a need to a community's pool (登记居民需求); an Idempotency-Key makes a retry safe."""
    community = organisation(code, "community.work")
    key = idempotency_key(required=False)
    body = parse_body(NEED)
    user = principal().user
    endpoint = f"needs:{community.id}"
    digest = _digest(body)
    if key is not None:
        earlier = db.session.scalar(select(ApiRequestKey).where(
            ApiRequestKey.user_id == user.id, ApiRequestKey.endpoint == endpoint, ApiRequestKey.key == key))
        if earlier is not None:
            return _replay(earlier, digest, community)
    need = run(lambda: add_need(db.session, community, by=user, **body))
    if key is not None:
        db.session.add(ApiRequestKey(user_id=user.id, endpoint=endpoint, key=key, request_digest=digest,
                                     object_id=need.id))
    try:
        db.session.commit()
    except IntegrityError:  # the same key, sent twice at once: the other request won
        db.session.rollback()
        earlier = db.session.scalar(select(ApiRequestKey).where(
            ApiRequestKey.user_id == user.id, ApiRequestKey.endpoint == endpoint, ApiRequestKey.key == key))
        if earlier is None:
            raise
        return _replay(earlier, digest, community)
    return json_response(serialize.need(need, community.code), 201, {"Location": f"/api/v1/needs/{need.id}"})


def _replay(earlier: ApiRequestKey, digest: str, community: Organisation):
    if earlier.request_digest != digest:
        raise ApiProblem("idempotency-conflict", _l("This Idempotency-Key was used for a need with other "
                                                    "content; use a new key for a new need."),
                         [("Idempotency-Key", _l("Already used with a different body."))])
    need = db.session.get(Need, earlier.object_id)
    return json_response(serialize.need(need, community.code), 201,
                         {"Location": f"/api/v1/needs/{need.id}", "Idempotent-Replayed": "true"})


def get_need(need_id: int):
    parse_query({})
    need = get_or_404(Need, need_id)
    community = db.session.get(Organisation, need.community_id)
    allow("project.view", community)
    return json_response(serialize.need(need, community.code))
