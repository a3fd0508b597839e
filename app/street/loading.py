"""Loading a street, a district or a project by its URL, with the user's access checked."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from ledger.organisations import Organisation
from workflows.projects import Project

from ..auth.access import require
from ..extensions import db


def organisation(code: str, level: str, action: str) -> Organisation:
    """The organisation of ``level`` with ``code``: 404 unless the user may see it, 403 without ``action``."""
    org = db.session.scalar(select(Organisation).where(Organisation.code == code, Organisation.level == level))
    if org is None or not org.is_active:
        abort(404)
    require(action, org)
    return org


def street(code: str, action: str) -> Organisation:
    return organisation(code, "street", action)


def project_in(root: Organisation, project_id: int, action: str) -> Project:
    """A project of a community under ``root`` (404 for any other), checked for ``action``."""
    project = db.get_or_404(Project, project_id)
    if not root.contains(project.community):
        abort(404)
    require(action, project.community)
    return project


def community_in(street_org: Organisation, code: str, action: str) -> Organisation:
    community = db.session.scalar(select(Organisation).where(
        Organisation.code == code, Organisation.level == "community"))
    if community is None or community.parent_id != street_org.id:
        abort(404)
    require(action, community)
    return community
