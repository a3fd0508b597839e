"""Template helpers of the public pages: amounts in yuan, the bodies that sign, the names of codes."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.dimensions import funding_source, purpose
from workflows.projects import PROJECT_TYPES

from ..extensions import db
from ..formatting import day, money, moment, rate

BODIES = {
    "community_staff": _l("Community party organisation"),
    "street_committee": _l("Street party committee"),
    "system": _l("Community party organisation"),
}


def yuan(value: Decimal | None) -> str:
    """``12,345.60 元``: two decimals and thousands separators."""
    return "—" if value is None else _("%(amount)s yuan", amount=money(value))


def bar(share: Decimal | None) -> int:
    """A share in steps of 5 %, for the CSS width classes (no inline style under the CSP)."""
    if not share or share <= 0:
        return 0
    return min(100, int(-(-Decimal(share) // 5)) * 5)


def body(role: str | None) -> str:
    return str(BODIES.get(role or "community_staff", BODIES["community_staff"]))


def type_title(code: str) -> str:
    """A project type (项目类型) by its Chinese name, as the process data names it."""
    return PROJECT_TYPES.get(code, code)


def purpose_title(project) -> str:
    """The project's use of the fund by the name on its city's positive list."""
    city = project.community.ancestor_at("city")
    category = purpose(db.session, city, project.purpose_code) if city else None
    return category.name if category else project.purpose_code


def source_title(code: str) -> str:
    source = funding_source(db.session, code)
    return source.name if source else code


def meeting_title(project, kind: str) -> str:
    try:
        return project.definition.rule(kind).title
    except StopIteration:
        return kind


HELPERS = {"type_title": type_title, "purpose_title": purpose_title, "source_title": source_title,
           "meeting_title": meeting_title, "yuan": yuan, "percent": rate, "day": day, "moment": moment, "body": body, "bar": bar}
