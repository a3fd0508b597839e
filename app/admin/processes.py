"""Process definitions (流程定义) and their versions, and each community's workflow settings."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ledger.errors import DomainError
from ledger.organisations import Organisation
from workflows.definitions import CommunitySettings, StoredDefinition, current_definition, settings_of
from workflows.diagram import mermaid
from workflows.process import BUILT_IN
from workflows.variants import belongs_to, city_prefix, save_variant, update_settings, visible_names

from ..audit import record
from ..auth.access import require, scope
from ..extensions import db
from ..routing import id_or_none
from ..web import show_error
from .forms import CommunitySettingsForm, DefinitionForm
from .purposes import load_city, managed_cities


def _visible(name: str) -> bool:
    """A built-in process, or a variant of one of the administrator's cities."""
    return name in BUILT_IN or any(belongs_to(name, city) for city in managed_cities())


def _load(definition_id: int) -> StoredDefinition:
    require("config.manage")
    row = db.get_or_404(StoredDefinition, definition_id)
    if not _visible(row.name):
        abort(404)
    return row


@login_required
def index():
    require("config.manage")
    cities = managed_cities()
    for name in BUILT_IN:  # the built-in processes are listed even before their first use
        current_definition(db.session, name)
    db.session.commit()
    rows = db.session.scalars(
        select(StoredDefinition).order_by(StoredDefinition.name, StoredDefinition.version.desc())
    ).all()
    versions: dict[str, list[StoredDefinition]] = {}
    for row in rows:
        if _visible(row.name):
            versions.setdefault(row.name, []).append(row)
    communities = db.session.execute(
        scope(select(Organisation, CommunitySettings), "config.manage")
        .outerjoin(CommunitySettings, CommunitySettings.organisation_id == Organisation.id)
        .where(Organisation.level == "community", Organisation.is_active.is_(True))
        .order_by(Organisation.path)
    ).all()
    return render_template("admin/processes.html", versions=versions, cities=cities,
                           communities=communities, built_in=BUILT_IN)


@login_required
def show(definition_id: int):
    row = _load(definition_id)
    definition = row.definition
    return render_template("admin/process.html", row=row, definition=definition,
                           diagram=mermaid(definition), cities=managed_cities())


@login_required
def new_version(city_id: int):
    city = load_city(city_id)
    form = DefinitionForm()
    source = None
    if not form.is_submitted():
        source_id = id_or_none(request.args.get("from")) if request.args.get("from") else None
        if request.args.get("from") and source_id is None:
            abort(404)
        source = _load(source_id) if source_id is not None else current_definition(db.session)
        body = source.definition.to_dict()
        if not belongs_to(body["name"], city):
            body["name"] = city_prefix(city) + body["name"]
        form.body.data = json.dumps(body, ensure_ascii=False, indent=2)
    if form.validate_on_submit():
        try:
            row = save_variant(db.session, city, form.body.data, by=current_user.user)
            record(db.session, current_user.id, "process.version", row, name=row.name, version=row.version)
            db.session.commit()
            flash(_("Saved as version %(version)s of %(name)s.", version=row.version, name=row.name), "success")
            return redirect(url_for("admin.process", definition_id=row.id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/process_form.html", form=form, city=city, source=source,
                           prefix=city_prefix(city))


@login_required
def community_settings(org_id: int):
    community = db.get_or_404(Organisation, org_id)
    require("config.manage", community)
    if community.level != "community":
        abort(404)
    settings = settings_of(db.session, community)
    form = CommunitySettingsForm(obj=settings)
    form.process_name.choices = [SelectChoice(n, n) for n in visible_names(db.session, community.ancestor_at("city"))]
    if form.validate_on_submit():
        try:
            old = {k: getattr(settings, k) for k in ("one_shoulder", "process_name", "plan_due_month", "plan_due_day")}
            update_settings(db.session, community, one_shoulder=form.one_shoulder.data,
                            process_name=form.process_name.data, plan_due_month=form.plan_due_month.data,
                            plan_due_day=form.plan_due_day.data)
            record(db.session, current_user.id, "community.settings", community, old=old,
                   new={k: getattr(settings, k) for k in old})
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.processes"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    else:
        db.session.rollback()  # showing the form stores no default settings
    return render_template("admin/community_settings.html", form=form, community=community)
