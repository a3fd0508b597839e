"""One notice (公示) with its project and resolution, the objections and their answers."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ledger.base import utcnow
from ledger.errors import DomainError
from workflows.projects import Project

from ..extensions import db
from ..web import show_error, submission_key
from . import board
from ..formatting import moment
from .forms import ObjectionForm
from .operations import submit_objection
from .throttle import over_ceiling


def _page(community, notice, form, status: int = 200):
    now = utcnow()
    project = db.session.get(Project, notice.project_id)
    objections = list(notice.objections)
    signers = board.signing_roles(db.session, [notice.published_by_id, *(o.answered_by_id for o in objections)])
    return render_template(
        "public/notice.html", community=community, notice=notice, project=project, form=form,
        now=now, open=notice.is_open(now), days_left=board.days_left(notice, now),
        objections=objections, signers=signers, meetings=board.meetings_of(db.session, project),
    ), status


def notice(code: str, notice_id: int):
    community = board.community_or_404(db.session, code)
    found = board.notice_or_404(db.session, community, notice_id)
    return _page(community, found, ObjectionForm())


def object_to_notice(code: str, notice_id: int):
    community = board.community_or_404(db.session, code)
    found = board.notice_or_404(db.session, community, notice_id)
    form = ObjectionForm()
    if over_ceiling(form, "text"):
        return _page(community, found, form, status=429)
    if not form.validate_on_submit():
        return _page(community, found, form)
    if not found.is_open(utcnow()):
        # Say why, with the dates, rather than the core's general refusal.
        form.text.errors = [_("The publicity period of this notice ended on %(end)s; objections are "
                              "accepted only from %(start)s to %(end)s.",
                              start=moment(found.starts_at), end=moment(found.ends_at))]
        return _page(community, found, form)
    try:
        objection = submit_objection(db.session, found, form.text.data, form.contact.data,
                                     key=submission_key(form, form.text.data, form.contact.data))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error, aliases={"notice": "text"})
        return _page(community, found, form)
    flash(_("Your objection was received (number %(number)d). The community must answer it before "
            "the project may go on; the answer will be shown on this page.", number=objection.id), "success")
    return redirect(url_for("public.notice", code=community.code, notice_id=found.id) + "#objections")
