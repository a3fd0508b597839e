"""Reports as JSON: the trial balance and budget execution of an organisation for a year.

The figures come from ``ledger/reports`` exactly as the pages and exports show them;
amounts and rates are strings (``"97.69"`` is a percentage, rounded as asked).
"""

from __future__ import annotations

from ledger.accounts import BUDGET, FINANCIAL
from ledger.organisations import LEVELS
from ledger.reports import (
    Rounding, execution_by_organisation, execution_by_project, execution_by_purpose,
    execution_by_source, totals, trial_balance,
)
from ledger.reports.trial_balance import is_balanced

from ..extensions import db
from . import serialize
from .common import json_response, organisation, run
from .validation import Field, choice, date_param, int_param, optional, parse_query

BREAKDOWNS = ("level", "purpose", "source", "project")
ROUNDINGS = ("truncate", "half_up")


def trial_balance_report(code: str):
    params = parse_query({
        "fiscal_year": Field(int_param(2000, 2999)),
        "basis": optional(choice((FINANCIAL, BUDGET)), FINANCIAL),
        "from_month": optional(int_param(1, 12), 1),
        "to_month": optional(int_param(1, 12), 12),
    })
    org = organisation(code, "books.view")
    months = (params["from_month"], params["to_month"])
    frame = run(lambda: trial_balance(db.session, org, params["fiscal_year"], params["basis"], months))
    return json_response({
        "organisation": org.code, "fiscal_year": params["fiscal_year"], "basis": params["basis"],
        "from_month": months[0], "to_month": months[1],
        "rows": serialize.frame(frame),
        "totals": {k: serialize.amount(v) for k, v in totals(frame).items()},
        "balanced": is_balanced(frame),
    })


def execution_report(code: str):
    params = parse_query({
        "fiscal_year": Field(int_param(2000, 2999)),
        "by": optional(choice(BREAKDOWNS), "level"),
        "level": optional(choice(LEVELS), "community"),
        "basis": optional(choice((FINANCIAL, BUDGET)), BUDGET),
        "rounding": optional(choice(ROUNDINGS), "truncate"),
        "places": optional(int_param(0, 6), 2),
        "as_of": optional(date_param),
    })
    org = organisation(code, "books.view")
    rounding = run(lambda: Rounding(params["rounding"], params["places"]))
    year, basis, as_of = params["fiscal_year"], params["basis"], params["as_of"]
    session = db.session
    if params["by"] == "level":
        work = lambda: execution_by_organisation(  # noqa: E731
            session, org, year, params["level"], basis, rounding, as_of)
    else:
        report = {"purpose": execution_by_purpose, "source": execution_by_source,
                  "project": execution_by_project}[params["by"]]
        work = lambda: report(session, org, year, basis, rounding, as_of)  # noqa: E731
    frame = run(work)
    return json_response({
        "organisation": org.code, "fiscal_year": year, "by": params["by"],
        "level": params["level"] if params["by"] == "level" else None, "basis": basis,
        "rounding": {"mode": rounding.mode, "places": rounding.places},
        "as_of": serialize.when(as_of), "rows": serialize.frame(frame),
    })
