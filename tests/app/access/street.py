"""Routes of the street area: the committee's dashboard, review queue and plan reviews."""

from __future__ import annotations

from sqlalchemy import select

from ledger.base import utcnow
from ledger.organisations import by_code
from workflows.projects import Project

from . import COMMITTEE, OVERSIGHT, Route

BASE = "/street/{street_code}"
PROJECT = BASE + "/review/{street_project}"
PLAN = BASE + "/plans/{community}/{street_plan_year}"

ROUTES = {
    "street.index": Route("GET", "/street/", OVERSIGHT),
    "street.dashboard": Route("GET", BASE, OVERSIGHT, True),
    "street.dashboard_xlsx": Route("GET", BASE + "/dashboard.xlsx", OVERSIGHT, True),
    "street.queue": Route("GET", BASE + "/review", COMMITTEE, True),
    "street.project": Route("GET", PROJECT, COMMITTEE, True),
    "street.approve": Route("POST", PROJECT + "/approve", COMMITTEE, True, {"amount": "1.00"}),
    "street.return_project": Route("POST", PROJECT + "/return", COMMITTEE, True, {"return_reason": "请补充预算明细"}),
    "street.reject": Route("POST", PROJECT + "/reject", COMMITTEE, True, {"reject_reason": "不符合正面清单"}),
    "street.fast_approve": Route("POST", PROJECT + "/fast-approve", COMMITTEE, True,
                                 {"amount": "1.00", "reason": "汛期险情"}),
    "street.overrides": Route("GET", BASE + "/overrides", COMMITTEE, True),
    "street.answer_override": Route("POST", BASE + "/overrides/{override_request}/answer", COMMITTEE, True,
                                    {"decision": "refuse", "note": "矩阵测试答复"}),
    "street.plans": Route("GET", BASE + "/plans", COMMITTEE, True),
    "street.plan": Route("GET", PLAN, COMMITTEE, True),
    "street.review_plan": Route("POST", PLAN + "/review", COMMITTEE, True, {"decision": "approve"}),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def targets(session, scope: str) -> dict:
    """A project of the scope's community: the one awaiting review if there is one."""
    community = by_code(session, COMMUNITY[scope])
    projects = list(session.scalars(select(Project).where(Project.community_id == community.id)
                                    .order_by(Project.id)))
    waiting = [p for p in projects if p.state == "review"]
    chosen = (waiting or projects)[0] if projects else None
    return {"street_project": chosen.id if chosen else 0, "street_plan_year": utcnow().year + 1}
