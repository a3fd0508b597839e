"""Payment requests (申请支付): the secretary prepares the voucher draft; finance reviews and posts it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sqlalchemy import select

from ledger.errors import DomainError
from workflows.projects import Project

from ..extensions import db
from ..i18n import error_message
from ..web import options, show_error
from . import operations as ops
from .forms import PaymentForm
from .views import title


def _form(project) -> PaymentForm:
    form = PaymentForm()
    codes = [line.funding_source_code for line in project.budget_lines] or ["district", "city", "other"]
    if project.ledger_project is not None and project.ledger_project.shares:
        codes = [s.funding_source.code for s in project.ledger_project.shares]
    form.source.choices = options([(c, str(title("source", c))) for c in codes])
    return form


@login_required
def new(project_id: int):
    project = ops.load_project(project_id, "community.work")
    form = _form(project)
    if form.validate_on_submit():
        try:
            request_ = ops.request_payment(
                db.session, project, amount=form.amount.data, source_code=form.source.data,
                paid_on=form.paid_on.data, description=form.description.data, invoice_file=form.invoice.data,
                by=current_user.user,
            )
            db.session.commit()
            flash(_("Payment request of %(amount)s CNY sent to the street finance office for review.",
                    amount=f"{request_.amount:,.2f}"), "success")
            return redirect(url_for("community.project", project_id=project.id, _anchor="money"))
        except DomainError as error:
            db.session.rollback()
            project = ops.load_project(project_id, "community.work")
            name = ops.payment_field(error)
            if name:
                show_error(form, error, {error.field: name})
            else:
                flash(error_message(error), "error")
    return render_template("community/payment_form.html", project=project, community=project.community, form=form)


@login_required
def index(code: str):
    community = ops.load_community(code)
    requests = ops.payment_requests(db.session, community)
    projects = {p.id: p for p in db.session.scalars(
        select(Project).where(Project.id.in_({r.project_id for r in requests})))}
    return render_template("community/payments.html", community=community, requests=requests,
                           projects=projects, show_project=True)
