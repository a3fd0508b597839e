"""URL converters: an id in a URL is a whole number the database can hold, or no route at all."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: The largest id of a table (PostgreSQL ``integer``; SQLite refuses numbers past 2**63 - 1).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` bounded to 0..MAX_ID: ``/projects/99999999999999999999`` is a 404, not a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_or_none(value) -> int | None:
    """An id from a query string or a form: a whole number 0..MAX_ID, or ``None`` (not found)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_ID else None


def init_app(app) -> None:
    """Register before any blueprint, so every rule's ``<int:...>`` uses the bounded converter."""
    app.url_map.converters["int"] = IdConverter
