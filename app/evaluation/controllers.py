"""Evaluations: list and start, enter indicators, refresh computed figures, finalise, export."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.errors import DomainError
from ledger.organisations import Organisation
from workflows.evaluation import (
    MANUAL, SOURCES, Evaluation, EvaluationItem, EvaluationTemplate, enter_item, finalise, refresh,
    save_template, seed_default_templates, start_evaluation,
)
from workflows.projects import Project
from workflows.satisfaction import satisfaction_of

from ..auth.access import org_filter, require, visible_organisations
from ..extensions import db
from ..i18n import error_message
from ..web import options, show_error
from .exports import evaluation_pdf, self_evaluation_xlsx
from .forms import ConfirmForm, ItemForm, NewEvaluationForm, TemplateForm


def _templates():
    """Templates of the districts where the user manages evaluations."""
    return db.session.scalars(
        select(EvaluationTemplate).join(EvaluationTemplate.district)
        .where(org_filter(current_user, "evaluation.manage"))
        .order_by(EvaluationTemplate.name, EvaluationTemplate.version.desc())
    ).all()


def _latest(templates):
    seen, latest = set(), []
    for template in templates:
        if (template.district_id, template.name) not in seen:
            seen.add((template.district_id, template.name))
            latest.append(template)
    return latest


def _new_form() -> NewEvaluationForm:
    form = NewEvaluationForm()
    form.template.choices = options([(t.id, f"{t.name}（{t.district.name}，第{t.version}版）") for t in _latest(_templates())])
    orgs = db.session.scalars(visible_organisations("evaluation.manage").where(
        Organisation.level.in_(("street", "district", "community")))).all()
    form.organisation.choices = options([(o.id, o.name) for o in orgs])
    projects = db.session.scalars(
        select(Project).join(Project.community).where(org_filter(current_user, "evaluation.manage"))
        .where(Project.state.in_(("acceptance", "results", "closed"))).order_by(Project.id)
    ).all()
    form.project.choices = options([(0, "—")] + [(p.id, f"{p.community.name} {p.code} {p.title}") for p in projects])
    return form


@login_required
def index():
    require("oversight.view")
    form = _new_form() if current_user.can("evaluation.manage") else None
    if request.method == "POST":
        require("evaluation.manage")
        if request.form.get("seed_defaults") and ConfirmForm().validate_on_submit():
            for district in db.session.scalars(visible_organisations("evaluation.manage", level="district")):
                seed_default_templates(db.session, district, by=current_user.user)
            db.session.commit()
            flash(_("The default templates were added."), "success")
            return redirect(url_for("evaluation.index"))
        if form.validate_on_submit():
            template = db.session.get(EvaluationTemplate, form.template.data)
            org = db.session.get(Organisation, form.organisation.data)
            project = db.session.get(Project, form.project.data) if form.project.data else None
            require("evaluation.manage", template.district)
            require("evaluation.manage", org)
            if project is not None:
                require("evaluation.manage", project.community)
                org = project.community
            try:
                evaluation = start_evaluation(db.session, template, org, form.year.data, by=current_user.user,
                                              project=project)
                db.session.commit()
                return redirect(url_for("evaluation.show", evaluation_id=evaluation.id))
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
    evaluations = db.session.scalars(
        select(Evaluation).join(Evaluation.organisation).where(org_filter(current_user, "oversight.view"))
        .order_by(Evaluation.fiscal_year.desc(), Evaluation.id.desc())
    ).all()
    return render_template("evaluation/index.html", evaluations=evaluations, form=form,
                           templates=_latest(_templates()), confirm=ConfirmForm())


def _load(evaluation_id: int, action: str = "oversight.view") -> Evaluation:
    evaluation = db.get_or_404(Evaluation, evaluation_id)
    require(action, evaluation.organisation)
    return evaluation


@login_required
def show(evaluation_id: int):
    evaluation = _load(evaluation_id)
    forms = {item.id: ItemForm(obj=item, prefix=f"i{item.id}") for item in evaluation.items}
    # The survey of a project evaluation, with the community's own paper entries counted apart.
    satisfaction = satisfaction_of(db.session, evaluation.project) if evaluation.project else None
    return render_template("evaluation/show.html", evaluation=evaluation, forms=forms, sources=SOURCES,
                           can_edit=current_user.can("evaluation.manage", evaluation.organisation),
                           confirm=ConfirmForm(), satisfaction=satisfaction)


@login_required
def update_item(evaluation_id: int, item_id: int):
    evaluation = _load(evaluation_id, "evaluation.manage")
    item = db.session.get(EvaluationItem, item_id)
    if item is None or item.evaluation_id != evaluation.id:
        abort(404)
    form = ItemForm(prefix=f"i{item.id}")
    if form.validate_on_submit():
        try:
            enter_item(
                db.session, item, by=current_user.user,
                actual=form.actual.data if item.source == MANUAL else None,
                evaluator_score=form.evaluator_score.data,
                shortfall_reason=form.shortfall_reason.data, evidence_note=form.evidence_note.data,
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("evaluation.show", evaluation_id=evaluation.id) + f"#item-{item.id}")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    else:
        for field, errors in form.errors.items():
            flash(f"{getattr(form, field).label.text}：{'；'.join(map(str, errors))}", "error")
    return redirect(url_for("evaluation.show", evaluation_id=evaluation.id) + f"#item-{item.id}")


def _act(evaluation_id: int, work, done_message: str):
    evaluation = _load(evaluation_id, "evaluation.manage")
    if ConfirmForm().validate_on_submit():
        try:
            work(evaluation)
            db.session.commit()
            flash(done_message, "success")
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return redirect(url_for("evaluation.show", evaluation_id=evaluation.id))


@login_required
def refresh_figures(evaluation_id: int):
    return _act(evaluation_id, lambda e: refresh(db.session, e),
                _("The figures were read again from the books and the projects."))


@login_required
def finalise_evaluation(evaluation_id: int):
    return _act(evaluation_id, lambda e: finalise(db.session, e, by=current_user.user), _("The evaluation is final."))


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    from urllib.parse import quote

    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


@login_required
def download_xlsx(evaluation_id: int):
    evaluation = _load(evaluation_id)
    return _download(self_evaluation_xlsx(evaluation),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"{evaluation.fiscal_year}绩效自评表-{evaluation.organisation.name}.xlsx")


@login_required
def download_pdf(evaluation_id: int):
    evaluation = _load(evaluation_id)
    return _download(evaluation_pdf(evaluation), "application/pdf",
                     f"{evaluation.fiscal_year}绩效评价报告-{evaluation.organisation.name}.pdf")


@login_required
def print_view(evaluation_id: int):
    return render_template("evaluation/print.html", evaluation=_load(evaluation_id))


@login_required
def template(template_id: int):
    """Edit a template: saving stores the next version, evaluations keep the one they used."""
    current = db.get_or_404(EvaluationTemplate, template_id)
    require("evaluation.manage", current.district)
    choices = [(MANUAL, _("entered by the evaluator"))] + [(key, key) for key in SOURCES]
    if request.method == "GET":
        rows = [{**row, "weight": Decimal(row["weight"])} for row in current.indicators]
        form = TemplateForm(data={"rows": rows, "rounding": current.rounding, "middle_band": current.middle_band})
    else:
        form = TemplateForm()
    for entry in form.rows:
        entry.form.source.choices = options(choices)
    if request.method == "POST" and "add_row" in request.form:
        form.rows.append_entry()
        form.rows[-1].form.source.choices = options(choices)
    elif form.validate_on_submit():
        rows = [{k: (entry.form[k].data if entry.form[k].data is not None else "")
                 for k in ("level1", "level2", "level3", "target", "weight", "source")}
                for entry in form.rows if (entry.form.level3.data or "").strip()]
        try:
            saved = save_template(db.session, current.district, current.name, current.subject, rows,
                                  by=current_user.user, rounding=form.rounding.data, decimals=current.decimals,
                                  middle_band=form.middle_band.data)
            db.session.commit()
            flash(_("Saved as version %(version)d.", version=saved.version), "success")
            return redirect(url_for("evaluation.template", template_id=saved.id))
        except DomainError as error:
            db.session.rollback()
            flash(error_message(error), "error")
    return render_template("evaluation/template.html", template=current, form=form)
