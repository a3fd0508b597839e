"""How this area shows money, rates and dates (two decimals, thousands separators, Chinese dates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import format_date, format_datetime, to_user_timezone


def money(value) -> str:
    """``1234.5`` → ``1,234.50``; nothing → a dash."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{Decimal(value):,.2f}"


def rate(value) -> str:
    """A percentage the report already rounded (truncated), shown with its two decimals."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{Decimal(value):.2f}%"


def day(value) -> str:
    """A date (or a moment, in Beijing time) as ``2026年3月5日`` / ``Mar 5, 2026``."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = to_user_timezone(value).date()
    return format_date(value, "long" if _chinese() else "medium")


def moment(value) -> str:
    """A moment in Beijing time with hours and minutes."""
    if value is None:
        return "—"
    return f"{day(value)} {format_datetime(value, 'HH:mm')}"


def _chinese() -> bool:
    from flask_babel import get_locale

    return get_locale().language == "zh"


FILTERS = {"street_money": money, "street_rate": rate, "street_day": day, "street_moment": moment}


def register(bp) -> None:
    for name, function in FILTERS.items():
        bp.add_app_template_filter(function, name)
