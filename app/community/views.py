"""How the community pages show values: money, Chinese dates, the cores' codes by their titles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from ..terms import term

NEED_STATUS = {"open": _l("open"), "linked": _l("linked to a project"), "merged": _l("merged"),
               "closed": _l("closed")}
PAYMENT_STATUS = {"draft": _l("waiting for review by finance"), "reviewed": _l("reviewed, waiting to be posted"),
                  "posted": _l("paid (posted)"), "discarded": _l("discarded by finance")}
PLAN_STATUS = {"draft": _l("being drafted"), "submitted": _l("submitted"), "approved": _l("approved"),
               "returned": _l("returned for revision")}


def money(value) -> str:
    """``12,345.60``: two decimals, thousands separated; a dash for nothing."""
    if value is None:
        return "-"
    return f"{Decimal(value):,.2f}"


def percent(value) -> str:
    return "-" if value is None else f"{Decimal(value):.2f}%"


def day(value: dt.date | None) -> str:
    """A date the Chinese way (2026年1月10日), or the English long form."""
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return format_datetime(value, "y年M月d日" if _chinese() else "d MMM y")
    return format_date(value, "long")


def when(value: dt.datetime | None) -> str:
    """A moment in Asia/Shanghai: 2026年1月10日 14:30."""
    if value is None:
        return "-"
    return format_datetime(value, "y年M月d日 HH:mm" if _chinese() else "d MMM y, HH:mm")


def _chinese() -> bool:
    return get_locale().language == "zh"


def title(param: str, code: str | None):
    """The translated title of a core's code (channel, project type, evidence kind...)."""
    if code is None:
        return "-"
    found = term(param, code)
    return found if found is not None else code


def event_title(transition) -> str:
    found = term("event", transition.event)
    return found if found is not None and found != transition.event else transition.title


HELPERS = dict(money=money, percent=percent, day=day, when=when, title=title, event_title=event_title,
               need_status=NEED_STATUS, payment_status=PAYMENT_STATUS, plan_status=PLAN_STATUS)
