"""The household codes of the satisfaction survey (住户测评码), printed as slips to hand out."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template, request
from flask_login import login_required

from workflows.household_codes import household_codes

from . import operations as ops
from .forms import HouseholdCodesForm


@login_required
def sheet(code: str):
    community = ops.load_community(code, "community.work")
    form = HouseholdCodesForm(request.args or None, data={"year": dt.date.today().year, "count": 50})
    codes = []
    if request.args and form.validate():
        codes = household_codes(current_app.config["SECRET_KEY"], community.code, form.year.data, form.count.data)
    return render_template("community/household_codes.html", community=community, form=form, codes=codes)
