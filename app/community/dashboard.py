"""The community's dashboard (社区首页): money, projects by step, what is overdue."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workflows.definitions import current_definition, settings_of

from ..auth.access import require, visible_organisations
from ..extensions import db
from . import operations as ops


@login_required
def index():
    """The nav entry: straight to the user's community, or a list when there are several."""
    require("project.view")
    communities = db.session.scalars(visible_organisations("community.work", level="community")).all()
    if len(communities) == 1:
        return redirect(url_for("community.dashboard", code=communities[0].code))
    if not communities:
        communities = db.session.scalars(visible_organisations("project.view", level="community")).all()
    return render_template("community/index.html", communities=communities)


@login_required
def dashboard(code: str):
    community = ops.load_community(code)
    year = request.args.get("year", type=int)
    if year is not None and not 2000 <= year <= 2999:
        abort(404)
    year = ops.fiscal_year_of(community, year)
    state = request.args.get("state") or None
    total, sources, purposes = ops.fund_figures(db.session, community, year)
    projects, counts = ops.projects_by_step(db.session, community, state)
    steps, follow_ups, plans = ops.overdue_for(db.session, community)
    by_id = {p.id: p for p in ops.projects_by_step(db.session, community)[0]}
    definition = current_definition(db.session, settings_of(db.session, community).process_name).definition
    return render_template(
        "community/dashboard.html", community=community, year=year, total=total, sources=sources,
        purposes=purposes, projects=projects, counts=counts, state=state, definition=definition,
        overdue_steps=steps, overdue_follow_ups=follow_ups, plan_deadlines=plans, by_id=by_id,
        can_work=current_user.can("community.work", community),
    )
