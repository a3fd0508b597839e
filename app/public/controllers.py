"""The residents' landing page and each community's public board (公开栏)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ledger.base import utcnow
from ledger.organisations import Organisation
from workflows.publicity import PublicNotice

from ..extensions import db
from . import board


def index():
    street, district = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(district, street, Organisation)
        .join(street, Organisation.parent_id == street.id)
        .join(district, street.parent_id == district.id)
        .where(Organisation.level == "community", Organisation.is_active.is_(True))
        .order_by(district.code, street.code, Organisation.code)
    ).all()
    now = utcnow()
    running = dict(db.session.execute(
        select(PublicNotice.community_id, func.count(PublicNotice.id))
        .where(PublicNotice.closed_at.is_(None), PublicNotice.starts_at <= now, PublicNotice.ends_at > now)
        .group_by(PublicNotice.community_id)
    ).all())
    tree: dict = {}
    for d, s, c in rows:
        tree.setdefault(d, {}).setdefault(s, []).append(c)
    return render_template("public/index.html", tree=tree, community_count=len(rows), running=running)


def _year(community) -> int:
    """``?year=`` when the community has books for it, else this year (never an error)."""
    years = board.book_years(db.session, community)
    asked = request.args.get("year", "")
    if asked.isdigit() and int(asked) in years:
        return int(asked)
    return board.today().year


def community_board(code: str):
    community = board.community_or_404(db.session, code)
    now = utcnow()
    year = _year(community)
    projects = board.board_projects(db.session, community, now)
    return render_template(
        "public/board.html", community=community, now=now,
        notices=board.board_notices(db.session, community, now),
        past=board.past_notices(db.session, community, now),
        projects=projects, spending=board.spending(db.session, community, year),
        years=board.book_years(db.session, community),
    )
