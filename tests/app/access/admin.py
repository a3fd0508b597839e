"""Routes of the administrator's configuration: purpose lists, chart, processes, settings."""

from __future__ import annotations

import json

from sqlalchemy import select

from ledger.accounts import Account, chart_of
from ledger.dimensions import purpose
from ledger.organisations import by_code
from workflows.definitions import StoredDefinition, save_definition
from workflows.process import EIGHT_STEPS
from workflows.variants import city_prefix

from . import ADMIN, Route

CITY = {"own": "DEMO", "sibling": "DEMO", "foreign": "XDEMO"}
COMMUNITY = {"own": "Q010101", "sibling": "Q010102", "foreign": "XQ010101"}


def _variant(session, city) -> int:
    """A stored variant of the city's own (the matrix's object to view)."""
    name = f"{city_prefix(city)}matrix"
    row = session.scalar(select(StoredDefinition).where(StoredDefinition.name == name))
    if row is None:
        body = {**EIGHT_STEPS.to_dict(), "name": name}
        row = save_definition(session, type(EIGHT_STEPS).from_dict(body))
        session.commit()
    return row.id


def _body(ids: dict) -> dict:
    return {"body": json.dumps({**EIGHT_STEPS.to_dict(), "name": ids["process_name"]}, ensure_ascii=False)}


def targets(session, scope: str) -> dict:
    city = by_code(session, CITY[scope])
    chart = chart_of(session, city)
    account = session.scalar(select(Account.id).where(Account.chart_id == chart.id, Account.code == "5901"))
    return {"city": city.id, "purpose": purpose(session, city, "culture").id, "account": account,
            "definition": _variant(session, city), "process_name": f"{city_prefix(city)}matrix",
            "community_org": by_code(session, COMMUNITY[scope]).id}


ROUTES = {
    "admin.purposes": Route("GET", "/admin/purposes", ADMIN),
    "admin.new_purpose": Route("POST", "/admin/cities/{city}/purposes/new", ADMIN, True,
                               {"code": "matrix_use", "name": "新用途", "listed": "positive", "keywords": ""}),
    "admin.edit_purpose": Route("POST", "/admin/purposes/{purpose}/edit", ADMIN, True,
                                {"name": "居民文体活动（改）", "keywords": ""}),
    "admin.toggle_purpose": Route("POST", "/admin/purposes/{purpose}/active", ADMIN, True),
    "admin.accounts": Route("GET", "/admin/accounts", ADMIN),
    "admin.add_account": Route("POST", "/admin/accounts/{account}/children/new", ADMIN, True,
                               {"code": "590199", "name": "明细"}),
    "admin.rename_account": Route("POST", "/admin/accounts/{account}/edit", ADMIN, True, {"name": "其他费用（改）"}),
    "admin.toggle_account": Route("POST", "/admin/accounts/{account}/active", ADMIN, True),
    "admin.processes": Route("GET", "/admin/processes", ADMIN),
    "admin.process": Route("GET", "/admin/processes/{definition}", ADMIN, True),
    "admin.new_process_version": Route("POST", "/admin/cities/{city}/processes/new", ADMIN, True, _body),
    "admin.community_settings": Route("POST", "/admin/communities/{community_org}/workflow", ADMIN, True,
                                      {"process_name": "eight_steps", "plan_due_month": "12", "plan_due_day": "20"}),
}
