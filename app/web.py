"""Small helpers the controllers share."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

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
