"""The JSON shapes of the API. Amounts are strings with two decimals; times are ISO 8601 UTC."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd

from ledger.base import money
from ledger.books import Book
from ledger.organisations import Organisation
from ledger.vouchers import Voucher, VoucherLine
from workflows.events import ProjectEvent
from workflows.needs import Need
from workflows.projects import PROJECT_TYPES, Project

from .models import ApiToken


def amount(value) -> str | None:
    return None if value is None else str(money(value))


def when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def organisation(org: Organisation) -> dict:
    return {
        "code": org.code, "name": org.name, "level": org.level,
        "parent": org.parent.code if org.parent is not None else None,
        "active": org.is_active,
    }


def book(b: Book) -> dict:
    return {
        "id": b.id, "organisation": b.organisation.code, "organisation_name": b.organisation.name,
        "fiscal_year": b.fiscal_year, "chart": b.chart.name,
        "closed_months": [p.month for p in b.periods if p.is_closed],
    }


def _user(user) -> str | None:
    return user.username if user is not None else None


def line(item: VoucherLine) -> dict:
    return {
        "position": item.position, "account": item.account.code, "account_name": item.account.name,
        "debit": amount(item.debit), "credit": amount(item.credit),
        "project": item.project.code if item.project else None,
        "purpose": item.purpose.code if item.purpose else None,
        "source": item.funding_source.code if item.funding_source else None,
        "memo": item.memo,
    }


def voucher(v: Voucher, with_lines: bool = True) -> dict:
    key = v.idempotency_key
    body = {
        "id": v.id, "book_id": v.book_id, "organisation": v.book.organisation.code,
        "fiscal_year": v.book.fiscal_year, "number": v.number, "status": v.status,
        "date": when(v.date), "period": v.period, "description": v.description,
        "idempotency_key": key[4:] if key.startswith("api:") else None,
        "reverses_id": v.reverses_id,
        "reversed_by_id": v.reversed_by.id if v.reversed_by is not None else None,
        "prepared_by": _user(v.prepared_by), "prepared_at": when(v.prepared_at),
        "reviewed_by": _user(v.reviewed_by), "reviewed_at": when(v.reviewed_at),
        "posted_by": _user(v.posted_by), "posted_at": when(v.posted_at),
        "hash": v.hash,
        "total_debit": amount(sum((money(x.debit) for x in v.lines), Decimal("0"))),
        "total_credit": amount(sum((money(x.credit) for x in v.lines), Decimal("0"))),
    }
    if with_lines:
        body["lines"] = [line(x) for x in v.lines]
    return body


def allocation(a) -> dict:
    return {
        "id": a.id, "book_id": a.book_id, "source": a.funding_source.code, "amount": amount(a.amount),
        "arrived_on": when(a.arrived_on), "reference": a.reference,
        "recorded_by": _user(a.recorded_by), "recorded_at": when(a.recorded_at),
        "voucher": voucher(a.voucher),
    }


def project(p: Project) -> dict:
    return {
        "id": p.id, "code": p.code, "title": p.title, "community": p.community.code,
        "community_name": p.community.name, "project_type": p.project_type,
        "project_type_name": PROJECT_TYPES.get(p.project_type), "purpose": p.purpose_code,
        "plan_year": p.plan_year, "state": p.state, "state_title": p.step.title,
        "state_since": when(p.state_since), "responsible_person": p.responsible_person,
        "expected_beneficiaries": p.expected_beneficiaries,
        "estimated_amount": amount(p.estimated_amount), "approved_amount": amount(p.approved_amount),
        "approved_at": when(p.approved_at), "created_at": when(p.created_at),
        "emergency": p.is_emergency,
    }


def event(e: ProjectEvent, usernames: dict[int, str]) -> dict:
    return {
        "at": when(e.at), "event": e.event, "from_state": e.from_state, "to_state": e.to_state,
        "role": e.role, "actor": usernames.get(e.actor_id), "reason": e.reason,
        "details": {str(k): str(v) for k, v in (e.details or {}).items()},
    }


def need(n: Need, community_code: str) -> dict:
    return {
        "id": n.id, "community": community_code, "channel": n.channel,
        "received_on": when(n.received_on), "category": n.category, "description": n.description,
        "status": n.status, "supporters": n.supporters, "merged_into_id": n.merged_into_id,
        "created_at": when(n.created_at),
    }


def token(t: ApiToken, now: dt.datetime) -> dict:
    return {
        "id": t.id, "name": t.name, "prefix": t.prefix, "created_at": when(t.created_at),
        "last_used_at": when(t.last_used_at), "expires_at": when(t.expires_at),
        "revoked_at": when(t.revoked_at), "usable": t.is_usable(now),
    }


#: Report columns that hold amounts of money, and those that hold percentages.
AMOUNT_COLUMNS = {
    "opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit",
    "allocated", "arrived", "spent", "balance", "approved", "income",
}
RATE_COLUMNS = {"execution_rate", "arrival_rate", "share"}


def _cell(column: str, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if column in AMOUNT_COLUMNS:
        return amount(value)
    if column in RATE_COLUMNS or isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def frame(data: pd.DataFrame) -> list[dict]:
    """A report's rows as JSON objects: amounts as strings, rates as strings, gaps as null."""
    columns = list(data.columns)
    return [
        {column: _cell(column, value) for column, value in zip(columns, row)}
        for row in data.itertuples(index=False, name=None)
    ]
