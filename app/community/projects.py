"""Projects: create one, its page (progress, history, records, money) and its next actions."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ledger.dimensions import PurposeCategory
from ledger.errors import DomainError
from workflows.emergency import publish_follow_up
from workflows.estimates import revise_estimate
from workflows.machine import fire as fire_event
from workflows.needs import MERGED, Need
from workflows.plans import open_plan
from workflows.projects import PROJECT_TYPES, Project, create_project

from ..extensions import db
from ..i18n import error_message
from ..routing import id_or_none
from ..web import options, show_error
from . import operations as ops
from .forms import ConfirmForm, EstimateForm, ProjectForm, TransitionForm
from .project_page import render_project
from .views import title


def _project_form(community) -> ProjectForm:
    form = ProjectForm()
    form.project_type.choices = options([(code, str(title("type", code))) for code in PROJECT_TYPES])
    city = community.ancestor_at("city")
    purposes = db.session.scalars(
        select(PurposeCategory).where(PurposeCategory.city_id == city.id, PurposeCategory.listed == "positive",
                                      PurposeCategory.is_active.is_(True)).order_by(PurposeCategory.id)
    ).all()
    form.purpose_code.choices = options([(p.code, p.name) for p in purposes])
    needs = db.session.scalars(
        select(Need).where(Need.community_id == community.id, Need.status != MERGED)
        .order_by(Need.received_on.desc(), Need.id.desc())
    ).all()
    form.needs.choices = options([(n.id, f"#{n.id} {n.description[:60]}") for n in needs])
    if not form.is_submitted():
        form.plan_year.data = dt.date.today().year + 1
        form.in_plan.data = True
        preset = id_or_none(request.args.get("need"))
        if preset in {n.id for n in needs}:
            form.needs.data = [preset]
    return form


def _next_code(community, year: int) -> str:
    count = db.session.scalar(select(func.count(Project.id)).where(Project.community_id == community.id)) or 0
    while True:
        count += 1
        code = f"{year}-{count:03d}"
        if not db.session.scalar(select(Project.id).where(Project.community_id == community.id, Project.code == code)):
            return code


@login_required
def new(code: str):
    community = ops.load_community(code, "community.work")
    form = _project_form(community)
    if form.validate_on_submit():
        try:
            year = form.plan_year.data
            plan = open_plan(db.session, community, year) if form.in_plan.data else None
            project = create_project(
                db.session, community, code=(form.code.data or "").strip() or _next_code(community, year),
                title=form.title.data, project_type=form.project_type.data, purpose_code=form.purpose_code.data,
                plan_year=year, responsible_person=form.responsible_person.data, by=current_user.user,
                budget=form.budget(), expected_beneficiaries=form.expected_beneficiaries.data,
                description=form.description.data or "", plan=plan,
                needs=[db.session.get(Need, i) for i in form.needs.data],
            )
            db.session.commit()
            flash(_("Project %(code)s created.", code=project.code), "success")
            return redirect(url_for("community.project", project_id=project.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error, {"budget": "budget_district", "plan": "plan_year", "community": "title"})
    return render_template("community/project_form.html", community=community, form=form)


@login_required
def show(project_id: int):
    return render_project(ops.load_project(project_id))


@login_required
def fire(project_id: int, event: str):
    project = ops.load_project(project_id)
    role = ops.role_for(project, event)
    form = TransitionForm()
    if not form.validate_on_submit():
        return render_project(project, forms={f"event:{event}": form})
    try:
        fire_event(db.session, project, event, by=current_user.user, role=role, reason=form.reason.data or "",
                   amount=form.amount.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        project = ops.load_project(project_id)
        if error.field in ("amount", "reason"):
            getattr(form, error.field).errors = [error_message(error)]
        return render_project(project, refused=error_message(error), forms={f"event:{event}": form})
    flash(_("Done: %(step)s.", step=project.step.title), "success")
    return redirect(url_for("community.project", project_id=project.id))


@login_required
def follow_up(project_id: int):
    """An emergency approved in advance publishes its resolution once deliberated (事后公开)."""
    project = ops.load_project(project_id, "community.work")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            publish_follow_up(db.session, project, by=current_user.user, role="community_staff")
            db.session.commit()
            flash(_("The resolution notice is published."), "success")
        except DomainError as error:
            db.session.rollback()
            return render_project(ops.load_project(project_id), refused=error_message(error))
    return redirect(url_for("community.project", project_id=project_id))


@login_required
def revise(project_id: int):
    """The community changes the estimate of a project it is still drafting (修改预算)."""
    project = ops.load_project(project_id, "community.work")
    form = EstimateForm()
    if not form.validate_on_submit():
        return render_project(project, forms={"estimate": form})
    try:
        revise_estimate(db.session, project, form.budget(), by=current_user.user, role="community_staff",
                        reason=form.reason.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        project = ops.load_project(project_id, "community.work")
        if error.field == "budget":
            form.budget_district.errors = [error_message(error)]
        return render_project(project, refused=error_message(error), forms={"estimate": form})
    flash(_("The estimate is now %(amount)s CNY.", amount=f"{project.estimated_amount:,.2f}"), "success")
    return redirect(url_for("community.project", project_id=project.id))
