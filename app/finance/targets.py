"""The planned budget (预算指标) of the street's communities: see it, set it, see its history.

Street finance sets the amount each community is planned to receive per funding source
and year (``ledger.targets``); a change is a new version with its reason. The page shows
the plan beside what has arrived, so a gap is seen before the year ends.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.dimensions import FundingSource
from ledger.errors import DomainError
from ledger.organisations import Organisation
from ledger.reports.execution import execution_by_organisation
from ledger.targets import TARGET_LEVEL, set_target, targets_of

from ..audit import record
from ..auth.access import require
from ..extensions import db
from ..web import options, show_error
from .common import load_organisation
from .forms import TargetForm


def _communities(org: Organisation) -> list[Organisation]:
    if org.level == TARGET_LEVEL:
        return [org]
    return list(db.session.scalars(
        select(Organisation).where(Organisation.path.startswith(org.path, autoescape=True),
                                   Organisation.level == TARGET_LEVEL, Organisation.is_active.is_(True))
        .order_by(Organisation.path)))


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2999 else dt.date.today().year


def _form(communities: list[Organisation], sources: list[FundingSource], year: int) -> TargetForm:
    form = TargetForm()
    form.organisation.choices = options([(c.id, f"{c.name} ({c.code})") for c in communities
                                         if current_user.can("books.post", c)])
    form.source.choices = options([(s.code, s.name) for s in sources])
    if request.method == "GET":
        form.fiscal_year.data = year
    return form


def _page(org: Organisation, year: int, form: TargetForm | None):
    communities = _communities(org)
    history = targets_of(db.session, communities, year)
    current = {}
    for target in history:  # newest version first per key
        current.setdefault((target.organisation_id, target.funding_source_id), target)
    execution = execution_by_organisation(db.session, org, year, level=TARGET_LEVEL)
    figures = {row["organisation"]: row for row in execution.to_dict("records")}
    sources = db.session.scalars(select(FundingSource).order_by(FundingSource.code)).all()
    used = [s for s in sources if s.is_active or any(k[1] == s.id for k in current)]
    return render_template("finance/targets.html", org=org, year=year, communities=communities, sources=used,
                           current=current, history=history, figures=figures, form=form)


@login_required
def targets():
    org = load_organisation(request.args.get("org"))
    year = _year()
    communities = _communities(org)
    sources = db.session.scalars(select(FundingSource).where(FundingSource.is_active.is_(True))
                                 .order_by(FundingSource.code)).all()
    form = _form(communities, sources, year)
    return _page(org, year, form if form.organisation.choices else None)


@login_required
def set_planned():
    org = load_organisation(request.args.get("org"), "books.post")
    communities = _communities(org)
    sources = db.session.scalars(select(FundingSource).where(FundingSource.is_active.is_(True))
                                 .order_by(FundingSource.code)).all()
    form = _form(communities, sources, _year())
    year = form.fiscal_year.data if isinstance(form.fiscal_year.data, int) else _year()
    if form.validate_on_submit():
        community = next((c for c in communities if c.id == form.organisation.data), None)
        source = next((s for s in sources if s.code == form.source.data), None)
        if community is None:
            form.organisation.errors = [_("Choose a community.")]
        elif source is None:
            form.source.errors = [_("Choose a funding source.")]
        else:
            require("books.post", community)
            try:
                target = set_target(db.session, community, year, source, form.amount.data, by=current_user.user,
                                    reference=form.reference.data or "", reason=form.reason.data or "")
                record(db.session, current_user.id, "budget_target.set", target, community=community.code,
                       source=source.code, year=year, amount=target.amount, version=target.version)
                db.session.commit()
                flash(_("Planned budget of %(community)s from %(source)s for %(year)s: %(amount)s.",
                        community=community.name, source=source.name, year=year,
                        amount=f"{target.amount:,.2f}"), "success")
                return redirect(url_for("finance.targets", org=org.id, year=year))
            except DomainError as error:
                db.session.rollback()
                show_error(form, error, {"fiscal_year": "fiscal_year"})
    return _page(org, year, form), 422
