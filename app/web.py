"""Small helpers the controllers share."""

from __future__ import annotations

import hashlib

from flask import flash
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from ledger.errors import DomainError

from .i18n import error_message


def show_error(form: FlaskForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a core's refusal next to the field it is about, or above the form."""
    name = (aliases or {}).get(error.field, error.field)
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(error_message(error))
    else:
        flash(error_message(error), "error")


def distinct_ids(form: FlaskForm, prefix: str) -> FlaskForm:
    """Give the form's elements ids of their own (``prefix-name``), keeping the field names.

    A page with several forms (a project page) would otherwise repeat ``csrf_token``,
    ``reason`` or ``kind`` as an id, and a label or a screen reader would find the wrong
    field. The names, and so what the form posts, stay as they were.
    """
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form


def options(pairs) -> list[SelectChoice]:
    """WTForms choices from ``(value, label)`` pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def submission_key(form, *values) -> str | None:
    """What names one sending of ``form``: its CSRF token (one per rendering of the page)
    and what it holds. The back button and a double click send both again, and so find the
    row the first sending made (``workflows/once.py``); a fresh page, or other content, is a
    new submission. ``None`` where the form carries no token."""
    token = getattr(getattr(form, "csrf_token", None), "data", None)  # as sent, not a fresh one
    if not token:
        return None
    return hashlib.sha256("\x1f".join([token, *map(str, values)]).encode()).hexdigest()
