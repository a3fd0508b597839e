"""The records of a project: deliberation meetings, evidence files, answers to objections, ratings."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ledger.errors import DomainError
from ledger.organisations import Organisation
from workflows.evidence import Evidence, evidence_path
from workflows.meetings import record_meeting
from workflows.projects import Project
from workflows.publicity import Objection, PublicNotice, answer_objection
from workflows.satisfaction import rate as rate_project

from ..auth.access import require
from ..extensions import db
from ..web import options, show_error
from . import operations as ops
from .forms import AnswerForm, EvidenceForm, RatingForm
from .project_page import evidence_kinds, meeting_form, render_project
from .views import title

#: Form fields a core's refusal may name under another name.
MEETING_FIELDS = {"file": "attachment", "filename": "attachment", "meetings": "kind"}


@login_required
def new_meeting(project_id: int):
    project = ops.load_project(project_id, "community.work")
    form = meeting_form(project, formdata=True)
    if form is None:
        return render_project(project, refused=_("Meetings cannot be recorded at step %(step)s.", step=project.step.title))
    if not form.validate_on_submit():
        return render_project(project, forms={"meeting": form})
    try:
        meeting = record_meeting(
            db.session, project, kind=form.kind.data, held_on=form.held_on.data,
            attendance_due=form.attendance_due.data, present=form.present.data, votes_for=form.votes_for.data,
            votes_against=form.votes_against.data, abstentions=form.abstentions.data,
            motion_origin=form.motion_origin.data, minutes=form.minutes.data, by=current_user.user,
            role="community_staff", merges_previous=form.merges_previous.data,
        )
        if form.attachment.data:
            ops.upload(project, form.attachment.data, "minutes", meeting=meeting)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        project = ops.load_project(project_id, "community.work")
        show_error(form, error, MEETING_FIELDS)
        return render_project(project, forms={"meeting": form})
    flash(_("Meeting recorded: %(meeting)s.", meeting=title("kind", meeting.kind)), "success")
    return redirect(url_for("community.project", project_id=project.id, _anchor="meetings"))


@login_required
def upload_evidence(project_id: int):
    project = ops.load_project(project_id, "community.work")
    form = EvidenceForm()
    form.kind.choices = options(evidence_kinds())
    if not form.validate_on_submit():
        return render_project(project, forms={"evidence": form})
    try:
        row = ops.upload(project, form.file.data, form.kind.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        project = ops.load_project(project_id, "community.work")
        show_error(form, error, {"filename": "file", "project": "file"})
        return render_project(project, forms={"evidence": form})
    flash(_("File %(name)s kept as %(kind)s.", name=row.original_name, kind=title("kind", row.kind)), "success")
    return redirect(url_for("community.project", project_id=project.id, _anchor="evidence"))


@login_required
def download(evidence_id: int):
    """Serve one evidence file by its id only, after checking the project's community."""
    row = db.get_or_404(Evidence, evidence_id)
    project = db.session.get(Project, row.project_id)
    require("project.view", db.session.get(Organisation, project.community_id))
    path = evidence_path(ops.evidence_folder(), row)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@login_required
def answer(objection_id: int):
    objection = db.get_or_404(Objection, objection_id)
    notice = db.session.get(PublicNotice, objection.notice_id)
    project = ops.load_project(notice.project_id, "community.work")
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            answer_objection(db.session, objection, form.answer.data, by=current_user.user, role="community_staff")
            db.session.commit()
            flash(_("The objection is answered."), "success")
            return redirect(url_for("community.project", project_id=project.id, _anchor="notices"))
        except DomainError as error:
            db.session.rollback()
            project = ops.load_project(notice.project_id, "community.work")
            show_error(form, error, {"objection": "answer"})
    return render_project(project, forms={f"answer:{objection_id}": form})


@login_required
def rate(project_id: int):
    """Type in one household's paper slip of the satisfaction survey (满意度测评): its printed
    code is checked as on the public form, and the rating is marked as entered by staff."""
    project = ops.load_project(project_id, "community.work")
    form = RatingForm()
    if form.validate_on_submit():
        try:
            row = rate_project(db.session, project, form.household_code.data, form.rating.data,
                               secret=current_app.config["SECRET_KEY"], entered_by=current_user.user)
            db.session.commit()
            flash(_("Paper slip of household %(code)s recorded; it is counted apart as typed in by the "
                    "community.", code=row.household_code), "success")
            return redirect(url_for("community.project", project_id=project.id, _anchor="survey"))
        except DomainError as error:
            db.session.rollback()
            project = ops.load_project(project_id, "community.work")
            show_error(form, error)
        except IntegrityError:  # the same slip sent twice at once: the database kept one
            db.session.rollback()
            project = ops.load_project(project_id, "community.work")
            form.household_code.errors = [_("This household code has already been used for this project.")]
    return render_project(project, forms={"rating": form})

