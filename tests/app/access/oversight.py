"""Routes of the oversight area: read-only pages of a district (or a street) and exports."""

from __future__ import annotations

from sqlalchemy import select

from ledger.organisations import by_code
from workflows.projects import Project

from . import OVERSIGHT, Route

DISTRICT = frozenset({"oversight-d01"})

ROUTES = {
    "oversight.index": Route("GET", "/oversight/", OVERSIGHT),
    "oversight.board": Route("GET", "/oversight/{street_code}", OVERSIGHT, True),
    "oversight.projects": Route("GET", "/oversight/{oversight_district}/projects", DISTRICT, True),
    "oversight.export_xlsx": Route("GET", "/oversight/{oversight_district}/export.xlsx", DISTRICT, True),
    "oversight.export_csv": Route("GET", "/oversight/{street_code}/export/execution_by_community.csv",
                                  OVERSIGHT, True),
    "oversight.project": Route("GET", "/oversight/projects/{oversight_project}", OVERSIGHT, True),
}

COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def targets(session, scope: str) -> dict:
    community = by_code(session, COMMUNITY[scope])
    project = session.scalar(select(Project.id).where(Project.community_id == community.id)
                             .order_by(Project.id).limit(1))
    return {"oversight_district": community.parent.parent.code, "oversight_project": project or 0}
