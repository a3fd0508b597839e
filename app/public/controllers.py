"""The residents' landing page: every community, by district and street."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ledger.organisations import Organisation

from ..extensions import db


def index():
    street, district = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(district, street, Organisation)
        .join(street, Organisation.parent_id == street.id)
        .join(district, street.parent_id == district.id)
        .where(Organisation.level == "community", Organisation.is_active.is_(True))
        .order_by(district.code, street.code, Organisation.code)
    ).all()
    tree: dict = {}
    for d, s, c in rows:
        tree.setdefault(d, {}).setdefault(s, []).append(c)
    return render_template("public/index.html", tree=tree, community_count=len(rows))
