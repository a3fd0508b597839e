"""Links to a project from any list of this area, to the page the user may open."""

from __future__ import annotations

from flask_login import current_user
from markupsafe import Markup
from flask import current_app, url_for
from werkzeug.routing import BuildError


def project_link(project) -> Markup:
    """The committee's review page, else the read-only oversight page, else plain text."""
    community = project.community
    if current_user.can("project.review", community):
        url = url_for("street.project", street_code=community.parent.code, project_id=project.id)
    elif current_user.can("oversight.view", community):
        url = url_for("oversight.project", project_id=project.id)
    else:
        return Markup("{} {}").format(project.code, project.title)
    return Markup('<a href="{}">{} {}</a>').format(url, project.code, project.title)


def community_link(project) -> str | None:
    """The community area's page of the project, once that area has one."""
    if "community.project" not in current_app.view_functions:
        return None
    for arguments in ({"project_id": project.id}, {"community_code": project.community.code, "project_id": project.id}):
        try:
            return url_for("community.project", **arguments)
        except BuildError:
            continue
    return None


def register(bp) -> None:
    bp.add_app_template_global(project_link, "street_project_link")
