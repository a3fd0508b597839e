"""The pages of a job: its progress (refreshing itself while it runs), its result, confirming it."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import or_, select

from ledger.errors import DomainError
from ledger.organisations import Organisation
from ledger.retry import run_transaction

from ..audit import record
from ..auth.access import org_filter
from ..extensions import db
from ..i18n import error_message
from .models import QUEUED, RUNNING, WAITING, Job

STATUS_TITLES = {
    "waiting": _l("waiting for confirmation"), "queued": _l("queued"), "running": _l("running"),
    "done": _l("done"), "failed": _l("failed"),
}
from .kinds import KINDS
from .operations import can_see, confirm_job, dispatch


class ConfirmForm(FlaskForm):
    """Only its CSRF token: confirming a waiting job."""


def load_job(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if not can_see(job, current_user):
        abort(404)
    return job


def _visible_jobs():
    """The user's own jobs and those of their organisations they may see, newest first."""
    own = Job.requested_by_id == current_user.id
    shared = [org_filter(current_user, action) for action in ("books.view", "books.post")]
    return (
        select(Job).join(Organisation, Organisation.id == Job.organisation_id)
        .where(or_(own, *[(Job.action == a) & f for a, f in zip(("books.view", "books.post"), shared)]))
        .order_by(Job.id.desc()).limit(100)
    )


@login_required
def index():
    jobs = db.session.scalars(_visible_jobs()).all()
    return render_template("jobs/index.html", jobs=jobs, kinds=KINDS, job_status_titles=STATUS_TITLES)


@login_required
def show(job_id: int):
    job = load_job(job_id)
    may_confirm = (job.status == WAITING and current_user.id not in (job.requested_by_id, job.confirmed_by_id)
                   and current_user.can(job.action, job.organisation))
    response = make_response(render_template(
        "jobs/show.html", job=job, kind=KINDS.get(job.kind), may_confirm=may_confirm,
        form=ConfirmForm(), job_status_titles=STATUS_TITLES,
    ))
    if job.status in (QUEUED, RUNNING):
        response.headers["Refresh"] = "2"  # the page follows the job without any script
    return response


@login_required
def download(job_id: int):
    job = load_job(job_id)
    if not job.has_file:
        flash(_("The file is not ready yet."), "error")
        return redirect(url_for("jobs.show", job_id=job.id))
    import io

    return send_file(io.BytesIO(job.result_bytes), mimetype=job.result_mimetype,
                     as_attachment=True, download_name=job.result_name)


@login_required
def confirm(job_id: int):
    job = load_job(job_id)
    if not current_user.can(job.action, job.organisation):
        abort(403)
    if ConfirmForm().validate_on_submit():
        def confirming() -> None:
            confirm_job(db.session, job, current_user.user)
            record(db.session, current_user.id, "job.review" if job.status == WAITING else "job.post", job,
                   kind=job.kind)

        try:
            run_transaction(db.session, confirming)  # commits; again when SQLite was busy or PostgreSQL deadlocked
            if job.status == QUEUED:
                dispatch(job.id)
            flash(_("Confirmed: the job is queued.") if job.status == QUEUED
                  else _("Confirmed as reviewer: a third clerk confirms the posting."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("jobs.show", job_id=job.id))
