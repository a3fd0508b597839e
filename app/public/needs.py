"""A resident's need (居民需求), submitted online to the community's needs pool."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from sqlalchemy import select

from ledger.errors import DomainError
from ledger.dimensions import POSITIVE, PurposeCategory

from ..extensions import db
from ..web import show_error, submission_key
from . import board
from .forms import NeedForm
from .operations import reference, submit_need
from .throttle import over_ceiling

SESSION_KEY = "public_need_reference"


def _categories(community) -> list[str]:
    """The city's allowed uses (正面清单), as the choices of a need's category."""
    city = community.ancestor_at("city")
    if city is None:
        return []
    return list(db.session.scalars(
        select(PurposeCategory.name).where(
            PurposeCategory.city_id == city.id, PurposeCategory.listed == POSITIVE,
            PurposeCategory.is_active.is_(True),
        ).order_by(PurposeCategory.code)
    ))


def new_need(code: str):
    community = board.community_or_404(db.session, code)
    form = NeedForm()
    form.set_categories(_categories(community))
    if request.method == "POST" and over_ceiling(form, "description"):
        return render_template("public/need_form.html", community=community, form=form), 429
    if form.validate_on_submit():
        try:
            need = submit_need(db.session, community, form.category.data, form.description.data,
                               form.contact.data, key=submission_key(form, form.category.data,
                                                                     form.description.data, form.contact.data))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            session[SESSION_KEY] = {"community": community.code, "reference": reference(community, need)}
            return redirect(url_for("public.need_thanks", code=community.code))
    return render_template("public/need_form.html", community=community, form=form)


def need_thanks(code: str):
    community = board.community_or_404(db.session, code)
    sent = session.get(SESSION_KEY) or {}
    if sent.get("community") != community.code:
        return redirect(url_for("public.new_need", code=community.code))
    return render_template("public/need_thanks.html", community=community, reference=sent["reference"])
