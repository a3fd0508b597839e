"""Routes of the community area: the secretary acts, every project reader reads.

The ids are looked up by what the objects are, not by their number, so the table works on
the demo world and on the community tests' own world alike: a project being implemented,
one in publicity, a need, an objection and an evidence file of the scope's community.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ledger.organisations import by_code
from workflows.evidence import Evidence
from workflows.needs import Need
from workflows.projects import Project
from workflows.publicity import Objection, PublicNotice

from . import PROJECT_READERS, SECRETARY, Route

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}
TODAY = dt.date.today().isoformat()

ROUTES = {
    "community.index": Route("GET", "/community/", PROJECT_READERS),
    "community.dashboard": Route("GET", "/community/{community}", PROJECT_READERS, True),
    "community.needs": Route("GET", "/community/{community}/needs?status=open", PROJECT_READERS, True),
    "community.new_need": Route("POST", "/community/{community}/needs/new", SECRETARY, True,
                                {"channel": "visit", "received_on": TODAY, "description": "矩阵测试需求"}),
    "community.merge_needs": Route("POST", "/community/{community}/needs/merge", SECRETARY, True,
                                   lambda ids: {"keep": ids["cm_need"], "duplicates": ids["cm_other_need"]}),
    "community.need": Route("POST", "/community/needs/{cm_need}", SECRETARY, True,
                            lambda ids: {"project": ids["cm_running"]}),
    "community.plan": Route("GET", "/community/{community}/plan", PROJECT_READERS, True),
    "community.submit_plan": Route("POST", "/community/{community}/plan/submit", SECRETARY, True),
    "community.new_project": Route("POST", "/community/{community}/projects/new", SECRETARY, True, {
        "title": "矩阵测试项目", "project_type": "works", "purpose_code": "small_works",
        "plan_year": str(dt.date.today().year), "responsible_person": "王", "expected_beneficiaries": "1",
        "budget_district": "100"}),
    "community.payments": Route("GET", "/community/{community}/payments", PROJECT_READERS, True),
    "community.project": Route("GET", "/community/projects/{cm_running}", PROJECT_READERS, True),
    "community.fire": Route("POST", "/community/projects/{cm_running}/events/complete", SECRETARY, True),
    "community.follow_up": Route("POST", "/community/projects/{cm_running}/follow-up", SECRETARY, True),
    "community.new_meeting": Route("POST", "/community/projects/{cm_running}/meetings", SECRETARY, True),
    "community.upload_evidence": Route("POST", "/community/projects/{cm_running}/evidence", SECRETARY, True,
                                       {"kind": "photo"}),
    "community.rate": Route("POST", "/community/projects/{cm_running}/ratings", SECRETARY, True,
                            {"household_code": "9-999", "rating": "5"}),
    "community.new_payment": Route("GET", "/community/projects/{cm_running}/payments/new", SECRETARY, True),
    "community.evidence": Route("GET", "/community/evidence/{cm_evidence}", PROJECT_READERS, True),
    "community.answer": Route("POST", "/community/objections/{cm_objection}/answer", SECRETARY, True,
                              {"answer": "已答复"}),
}


def targets(session, scope: str) -> dict:
    org = by_code(session, COMMUNITY[scope])
    projects = select(Project.id).where(Project.community_id == org.id).order_by(Project.id)
    running = session.scalar(projects.where(Project.state == "implementation")) or session.scalar(projects)
    needs = list(session.scalars(
        select(Need.id).where(Need.community_id == org.id, Need.status != "merged").order_by(Need.id)
    ))
    objection = session.scalar(
        select(Objection.id).join(PublicNotice).where(PublicNotice.community_id == org.id)
        .order_by(Objection.answered_at.is_not(None), Objection.id)
    )
    evidence = session.scalar(
        select(Evidence.id).join(Project, Project.id == Evidence.project_id)
        .where(Project.community_id == org.id).order_by(Evidence.id)
    )
    # A scope without such an object names id 0: a refused request is still refused (404).
    return {"community": org.code, "cm_running": running or 0, "cm_need": needs[0] if needs else 0,
            "cm_other_need": needs[-1] if needs else 0, "cm_objection": objection or 0, "cm_evidence": evidence or 0}

ROUTES["community.revise_estimate"] = Route("POST", "/community/projects/{cm_running}/estimate", SECRETARY, True,
                                            {"budget_district": "123.00"})
ROUTES["community.household_codes"] = Route("GET", "/community/{community}/household-codes?year=2026&count=3",
                                            SECRETARY, True)
