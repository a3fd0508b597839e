"""The residents' landing page and each community's public board (公开栏)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ledger.base import utcnow
from ledger.organisations import Organisation
from workflows.publicity import PublicNotice

from ..cache import Page, cached_page, render_content, render_page, scoped
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


def asked_year() -> str:
    """``?year=`` when it can be a fiscal year, else empty (no other text reaches the cache key)."""
    asked = request.args.get("year", "")
    return asked if asked.isdigit() and len(asked) == 4 else ""


def _year(community, asked: str) -> int:
    """The year asked for when the community has books for it, else this year (never an error)."""
    years = board.book_years(db.session, community)
    if asked and int(asked) in years:
        return int(asked)
    return board.today().year


@scoped("code")
def community_board(code: str):
    asked = asked_year()
    return render_page(cached_page("public-board", (code, asked), lambda: board_page(code, asked)))


def board_page(code: str, asked: str) -> Page:
    community = board.community_or_404(db.session, code)
    now = utcnow()
    year = _year(community, asked)
    projects = board.board_projects(db.session, community, now)
    content = render_content(
        "public/_board.html", community=community, now=now,
        notices=board.board_notices(db.session, community, now),
        past=board.past_notices(db.session, community, now),
        projects=projects, spending=board.spending(db.session, community, year),
        years=board.book_years(db.session, community),
    )
    return Page(community.name, content, board.valid_until(db.session, community, now))
