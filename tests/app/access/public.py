"""Routes of the residents' pages: every one answers anybody, logged in or not (public=True).

The ids name, in the scope's community (own Q010101, sibling Q010102, foreign XQ010101),
its most recent published notice (a running one when there is one) and a public project
(one open for rating when there is one). Posting to them may be accepted (302) or refused
with a message on the page (200): both are answers a resident may get.
"""

from __future__ import annotations

from sqlalchemy import select

# public_need_contacts must be on the metadata before the test schema is built; until
# app/models.py imports the area's models (see the public area's report), this does.
from app.public import models as _public_tables  # noqa: F401
from ledger.base import utcnow
from ledger.organisations import by_code
from workflows.projects import Project
from workflows.publicity import PublicNotice

from . import EVERYONE, Route

ROUTES = {
    "public.board": Route("GET", "/c/{community}", EVERYONE, True, public=True),
    "public.notice": Route("GET", "/c/{community}/notices/{public_notice}", EVERYONE, True, public=True),
    "public.object": Route("POST", "/c/{community}/notices/{public_notice}/objections", EVERYONE, True,
                           {"text": "公示内容与实际不符。", "contact": ""}, public=True),
    "public.project": Route("GET", "/c/{community}/projects/{public_project}", EVERYONE, True, public=True),
    "public.rate": Route("POST", "/c/{community}/projects/{public_project}/rating", EVERYONE, True,
                         {"household_code": "9-909", "rating": "4"}, public=True),
    "public.new_need": Route("POST", "/c/{community}/needs/new", EVERYONE, True,
                             {"category": "便民服务", "description": "小区门口路灯不亮。", "contact": ""}, public=True),
    "public.need_thanks": Route("GET", "/c/{community}/needs/thanks", EVERYONE, True, public=True),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def targets(session, scope: str) -> dict:
    org = by_code(session, COMMUNITY[scope])
    now = utcnow()
    notices = list(session.scalars(
        select(PublicNotice).where(PublicNotice.community_id == org.id, PublicNotice.starts_at <= now)
        .order_by(PublicNotice.id.desc())
    ))
    running = [n for n in notices if n.is_open(now)]
    projects = [p for p in session.scalars(
        select(Project).where(Project.community_id == org.id).order_by(Project.id)
    ) if p.approved_amount is not None or any(n.project_id == p.id for n in notices)]
    rateable = [p for p in projects if p.step.survey]
    return {
        "public_notice": (running or notices)[0].id,
        "public_project": (rateable or projects)[0].id,
    }
