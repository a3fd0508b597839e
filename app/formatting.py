"""How every page writes money, rates and dates: the Jinja filters ``money``, ``rate``,
``day`` and ``moment`` (two decimals with thousands separators, Chinese dates in Beijing time)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask_babel import format_date, get_locale, to_user_timezone


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def money(value, blank: str = "—") -> str:
    """``1234.5`` → ``1,234.50``; a missing value → ``blank`` (a ledger column leaves it empty)."""
    return blank if _missing(value) else f"{Decimal(value):,.2f}"


def rate(value) -> str:
    """A percentage the report already rounded (truncated), with its two decimals."""
    return "—" if _missing(value) else f"{Decimal(value):.2f}%"


def day(value) -> str:
    """A date (an ISO string, or a moment read in Beijing time) as ``2026年3月5日`` / ``Mar 5, 2026``."""
    if _missing(value):
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = to_user_timezone(value).date()
    return format_date(value, "long" if get_locale().language == "zh" else "medium")


def moment(value) -> str:
    """A moment in Beijing time with hours and minutes: ``2026年3月5日 18:00``."""
    if value is None:
        return "—"
    return f"{day(value)} {to_user_timezone(value):%H:%M}"


def register(app: Flask) -> None:
    for function in (money, rate, day, moment):
        app.add_template_filter(function, function.__name__)
