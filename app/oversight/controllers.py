"""District oversight (区委组织部/审计): read-only dashboards, project lists and exports.

Every page reads; there is no POST route in this area. A district's pages are for its
oversight office; a street's (the same pages, one level down) also for that street's
committee. Figures are the street area's board (``app.street.figures``), itself the
ledger's reports, so the district sees the very numbers the street sees.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.base import utcnow
from ledger.organisations import Organisation
from workflows.projects import PROJECT_TYPES, Project

from ..auth.access import require, visible_organisations
from ..cache import Page, render_content, render_page, scoped
from ..extensions import db
from ..street import expiry
from ..street.dashboard import XLSX, attachment, board_of, cached_board_page, download_name, settings, charts_of
from ..street.exports import board_tables, board_workbook, csv_bytes
from ..street.figures import projects_under, under, years_with_books
from ..street.links import community_link
from ..street.records import record, source_names

READ = "oversight.view"
LEVELS = ("district", "street")


def _root(code: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.code == code,
                                                       Organisation.level.in_(LEVELS)))
    if org is None or not org.is_active:
        abort(404)
    require(READ, org)
    return org


@login_required
def index():
    require(READ)
    districts = list(db.session.scalars(visible_organisations(READ, level="district")))
    if len(districts) == 1:
        return redirect(url_for("oversight.board", code=districts[0].code))
    streets = [] if districts else list(db.session.scalars(visible_organisations(READ, level="street")))
    return render_template("oversight/index.html", districts=districts, streets=streets)


@scoped("code")
@login_required
def show(code: str):
    root = _root(code)
    form, year, share = settings(root)

    def compute() -> Page:
        figures = board_of(root, year, share)
        streets = []
        if root.level == "district":
            for street in db.session.scalars(select(Organisation).where(under(root), Organisation.level == "street")
                                             .order_by(Organisation.path)):
                streets.append((street, [c for c in street.children if c.level == "community"]))
        content = render_content(
            "oversight/_board.html", root=root, board=figures, form=form, years=years_with_books(db.session, root),
            charts=charts_of(figures), streets=streets,
            tables=[(slug, title) for slug, title, _f in board_tables(figures)],
            query={"year": year, "share": share}, source_titles=source_names(db.session),
        )
        return Page(f"{root.name} · {gettext('Oversight')}", content, expiry.valid_until(db.session, root, utcnow()))

    return render_page(cached_board_page("oversight-board", root, form, year, share, compute))


@login_required
def export_xlsx(code: str):
    root = _root(code)
    _form, year, share = settings(root)
    return attachment(board_workbook(board_of(root, year, share)), XLSX,
                      download_name(root, year, "oversight.xlsx"))


@login_required
def export_csv(code: str, table: str):
    root = _root(code)
    _form, year, share = settings(root)
    tables = {slug: frame for slug, _title, frame in board_tables(board_of(root, year, share))}
    if table not in tables:
        abort(404)
    return attachment(csv_bytes(tables[table]), "text/csv", download_name(root, year, f"{table}.csv"))


@login_required
def projects(code: str):
    root = _root(code)
    stmt = projects_under(db.session, root)
    year = request.args.get("year", type=int)
    if year:
        stmt = stmt.where(Project.plan_year == year)
    kind = request.args.get("type")
    if kind in PROJECT_TYPES:
        stmt = stmt.where(Project.project_type == kind)
    else:
        kind = None
    step = request.args.get("step", "")[:32]
    items = [p for p in db.session.scalars(stmt) if not step or p.state == step]
    return render_template("oversight/projects.html", root=root, projects=items, year=year, kind=kind, step=step,
                           types=PROJECT_TYPES)


@login_required
def project(project_id: int):
    item = db.get_or_404(Project, project_id)
    require(READ, item.community)
    require("project.view", item.community)
    return render_template("oversight/project.html", record=record(db.session, item), now=utcnow(),
                           community_link=community_link(item),
                           can_review=current_user.can("project.review", item.community))
