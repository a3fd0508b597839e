"""The needs pool (需求池): list and filter, add from any channel, merge duplicates, link to a project."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ledger.errors import DomainError
from ledger.organisations import Organisation
from workflows.needs import CHANNELS, MERGED, STATUSES, Need, add_need, link_need, merge_needs, needs_pool
from workflows.once import replayed
from workflows.projects import Project

from ..auth.access import require
from ..extensions import db
from ..public.operations import contact_for
from ..web import options, show_error, submission_key
from . import operations as ops
from .forms import LinkNeedForm, MergeForm, NeedFilterForm, NeedForm
from .views import NEED_STATUS, title


def channel_choices():
    return [(code, str(title("channel", code))) for code in CHANNELS]


def _need_label(need: Need) -> str:
    text = need.description if len(need.description) <= 40 else need.description[:40] + "…"
    return f"#{need.id} {text}"


def _merge_form(community, formdata=None) -> MergeForm:
    pool = [n for n in needs_pool(db.session, community) if n.status != MERGED]
    form = MergeForm(formdata=formdata) if formdata is not None else MergeForm()
    form.keep.choices = options([(n.id, _need_label(n)) for n in pool])
    form.duplicates.choices = options([(n.id, _need_label(n)) for n in pool])
    return form


@login_required
def index(code: str):
    community = ops.load_community(code)
    filters = NeedFilterForm(request.args)
    filters.status.choices = options([("", _("All statuses"))] + [(s, str(NEED_STATUS[s])) for s in STATUSES])
    filters.channel.choices = options([("", _("All channels"))] + channel_choices())
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else None
    needs = needs_pool(db.session, community, status)
    if channel:
        needs = [n for n in needs if n.channel == channel]
    can_work = current_user.can("community.work", community)
    return render_template("community/needs.html", community=community, needs=needs, filters=filters,
                           merge_form=_merge_form(community) if can_work else None, can_work=can_work)


@login_required
def new(code: str):
    community = ops.load_community(code, "community.work")
    form = NeedForm()
    form.channel.choices = options(channel_choices())
    if form.validate_on_submit():
        try:
            need = add_need(db.session, community, channel=form.channel.data, received_on=form.received_on.data,
                            category=form.category.data or "", description=form.description.data,
                            by=current_user.user, key=submission_key(form, form.channel.data, form.received_on.data,
                                                                     form.category.data, form.description.data))
            again = replayed(db.session, need)
            db.session.commit()
            flash(_("Need #%(id)d was already added; it was not entered twice.", id=need.id) if again
                  else _("Need #%(id)d added to the pool.", id=need.id), "success")
            return redirect(url_for("community.needs", code=community.code))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("community/need_form.html", community=community, form=form)


@login_required
def merge(code: str):
    community = ops.load_community(code, "community.work")
    form = _merge_form(community, request.form)
    if form.validate_on_submit():
        keep = db.session.get(Need, form.keep.data)
        duplicates = [db.session.get(Need, i) for i in form.duplicates.data if i != form.keep.data]
        if not duplicates:
            form.duplicates.errors = list(form.duplicates.errors) + [_("Choose needs other than the one kept.")]
        else:
            try:
                merge_needs(db.session, keep, duplicates)
                db.session.commit()
                flash(_("Merged %(count)d need(s) into need #%(id)d.", count=len(duplicates), id=keep.id), "success")
                return redirect(url_for("community.needs", code=community.code))
            except DomainError as error:
                db.session.rollback()
                form = _merge_form(community, request.form)
                form.validate()
                show_error(form, error)
    filters = NeedFilterForm(formdata=None)
    filters.status.choices = options([("", _("All statuses"))] + [(s, str(NEED_STATUS[s])) for s in STATUSES])
    filters.channel.choices = options([("", _("All channels"))] + channel_choices())
    return render_template("community/needs.html", community=community, needs=needs_pool(db.session, community),
                           filters=filters, merge_form=form, can_work=True)


@login_required
def show(need_id: int):
    need = db.get_or_404(Need, need_id)
    community = db.session.get(Organisation, need.community_id)
    require("project.view", community)
    can_work = current_user.can("community.work", community)
    form = LinkNeedForm()
    open_projects = db.session.scalars(
        select(Project).where(Project.community_id == community.id).order_by(Project.code)
    ).all()
    form.project.choices = options([(p.id, f"{p.code} {p.title}") for p in open_projects if not p.step.final])
    if request.method == "POST":
        require("community.work", community)
        if form.validate_on_submit():
            project = db.session.get(Project, form.project.data)
            try:
                link_need(db.session, project, need)
                db.session.commit()
                flash(_("Need #%(id)d is linked to project %(project)s.", id=need.id, project=project.code),
                      "success")
                return redirect(url_for("community.need", need_id=need.id))
            except DomainError as error:
                db.session.rollback()
                show_error(form, error, {"needs": "project"})
    contact = contact_for(db.session, need) if can_work else None  # residents' contacts: staff only
    return render_template("community/need.html", community=community, need=need, form=form, can_work=can_work,
                           contact=contact)
