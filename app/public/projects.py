"""One public project: what was decided, approved and achieved, and the satisfaction survey."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ledger.base import utcnow
from ledger.errors import DomainError
from workflows.satisfaction import satisfaction_of

from ..extensions import db
from ..web import show_error
from . import board
from .forms import RatingForm
from .operations import submit_rating
from .throttle import over_ceiling


def _page(community, project, form, status: int = 200):
    now = utcnow()
    notices = board.notices_of(db.session, project, now)
    acceptance = board.acceptance_of(db.session, project)
    signers = board.signing_roles(db.session, [n.published_by_id for n in notices])
    return render_template(
        "public/project.html", community=community, project=project, form=form, now=now,
        notices=notices, signers=signers, acceptance=acceptance, finished=board.is_finished(project),
        rating_open=project.step.survey, satisfaction=satisfaction_of(db.session, project),
        meetings=board.meetings_of(db.session, project),
    ), status


def project(code: str, project_id: int):
    community = board.community_or_404(db.session, code)
    found = board.project_or_404(db.session, community, project_id)
    return _page(community, found, RatingForm())


def rate_project(code: str, project_id: int):
    community = board.community_or_404(db.session, code)
    found = board.project_or_404(db.session, community, project_id)
    form = RatingForm()
    if over_ceiling(form, "rating"):
        return _page(community, found, form, status=429)
    if not form.validate_on_submit():
        return _page(community, found, form)
    if not found.step.survey:
        form.rating.errors = [_("This project is not open for rating: households rate a project while it "
                                "is accepted and while its results are published.")]
        return _page(community, found, form)
    try:
        submit_rating(db.session, found, form.household_code.data.strip(), int(form.rating.data),
                      secret=current_app.config["SECRET_KEY"])
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _page(community, found, form)
    except IntegrityError:  # the same code sent twice at the same moment: the database kept one
        db.session.rollback()
        form.household_code.errors = [_("This household code has already been used for this project.")]
        return _page(community, found, form)
    flash(_("Thank you. Your household's rating was recorded."), "success")
    return redirect(url_for("public.project", code=community.code, project_id=found.id) + "#satisfaction")
