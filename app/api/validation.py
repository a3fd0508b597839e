"""Reading what a client sends: a JSON body or query parameters, field by field.

Nothing a client sends reaches a core unchecked: a body must be JSON (415 otherwise),
parse (400), and be an object whose every field has the right type, with no field the
endpoint does not know (422, naming each field that was wrong). Amounts are strings
with at most two decimals; a JSON number where an amount belongs is refused, because a
float cannot hold 0.10 exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from ledger.base import MAX_AMOUNT

from .problems import ApiProblem

AMOUNT_PATTERN = re.compile(r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,80}$")
#: A body larger than this is refused with 413 before it is parsed.
DEFAULT_MAX_BODY = 256 * 1024
MISSING = object()


class JsonNumberText(str):
    """A JSON number with a fraction or exponent (or NaN/Infinity), kept as its text."""


class Invalid(Exception):
    """One or more fields that are wrong: ``errors`` is a list of (field, message)."""

    def __init__(self, errors: list[tuple[str, Any]]):
        super().__init__(errors)
        self.errors = errors


def invalid(field: str, message) -> Invalid:
    return Invalid([(field, message)])


Parser = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Field:
    parse: Parser
    required: bool = True
    default: Any = None


def optional(parse: Parser, default: Any = None) -> Field:
    return Field(parse, required=False, default=default)


# ---- parsers of JSON values -------------------------------------------------------------

def is_number(value) -> bool:
    return isinstance(value, (int, JsonNumberText)) and not isinstance(value, bool)


def string(max_length: int = 200, allow_blank: bool = False) -> Parser:
    def parse(value, path):
        if not isinstance(value, str) or isinstance(value, JsonNumberText):
            raise invalid(path, _l("Must be a string."))
        text = value.strip()
        if not text and not allow_blank:
            raise invalid(path, _l("Must not be empty."))
        if len(value) > max_length:  # as sent: the document's maxLength, whitespace included
            raise invalid(path, _l("Must be at most %(max)s characters.", max=max_length))
        if "\x00" in text:
            raise invalid(path, _l("Must not contain NUL characters."))
        return text
    return parse


def amount(value, path) -> Decimal:
    """An amount of money: a string like ``"1234.50"``; JSON numbers are refused."""
    if is_number(value):
        raise invalid(path, _l('Send amounts as a JSON string with at most two decimals, e.g. "1234.50", '
                               'not as a JSON number.'))
    if not isinstance(value, str):
        raise invalid(path, _l('Must be an amount as a string, e.g. "1234.50".'))
    text = value.strip()
    if not AMOUNT_PATTERN.match(text):
        raise invalid(path, _l('Not an amount: use digits with at most two decimals, e.g. "1234.50".'))
    number = Decimal(text)
    if abs(number) > MAX_AMOUNT:
        raise invalid(path, _l("The amount is larger than %(max)s.", max=str(MAX_AMOUNT)))
    return number


def date(value, path) -> dt.date:
    if not isinstance(value, str) or isinstance(value, JsonNumberText) or not DATE_PATTERN.match(value):
        raise invalid(path, _l("Must be a date as YYYY-MM-DD."))
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise invalid(path, _l("Must be a date as YYYY-MM-DD.")) from None
    if not 2000 <= day.year <= 2999:
        raise invalid(path, _l("Enter a date between 2000 and 2999."))
    return day


def integer(minimum: int, maximum: int) -> Parser:
    def parse(value, path):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(path, _l("Must be a whole number."))
        if not minimum <= value <= maximum:
            raise invalid(path, _l("Must be between %(min)s and %(max)s.", min=minimum, max=maximum))
        return value
    return parse


def choice(allowed) -> Parser:
    allowed = tuple(allowed)

    def parse(value, path):
        if not isinstance(value, str) or value not in allowed:
            raise invalid(path, _l("Must be one of: %(allowed)s.", allowed=", ".join(allowed)))
        return value
    return parse


def array(item: Parser, min_items: int, max_items: int) -> Parser:
    def parse(value, path):
        if not isinstance(value, list):
            raise invalid(path, _l("Must be an array."))
        if not min_items <= len(value) <= max_items:
            raise invalid(path, _l("Must have %(min)s to %(max)s items.", min=min_items, max=max_items))
        errors, items = [], []
        for index, element in enumerate(value):
            try:
                items.append(item(element, f"{path}[{index}]"))
            except Invalid as error:
                errors.extend(error.errors)
        if errors:
            raise Invalid(errors)
        return items
    return parse


def obj(fields: dict[str, Field]) -> Parser:
    """An object with exactly these fields (the optional ones may be left out)."""
    def parse(value, path):
        if not isinstance(value, dict):
            raise invalid(path or "body", _l("Must be a JSON object."))
        errors, result = [], {}
        prefix = f"{path}." if path else ""
        for name in value:
            if name not in fields:
                errors.append((f"{prefix}{name}", _l("Unknown field: remove it. Allowed fields: %(allowed)s.",
                                                    allowed=", ".join(fields))))
        for name, field in fields.items():
            if name not in value or value[name] is None:
                if field.required:
                    errors.append((f"{prefix}{name}", _l("This field is required.")))
                else:
                    result[name] = field.default
                continue
            try:
                result[name] = field.parse(value[name], f"{prefix}{name}")
            except Invalid as error:
                errors.extend(error.errors)
        if errors:
            raise Invalid(errors)
        return result
    return parse


# ---- the request ------------------------------------------------------------------------

def _refuse_constant(text):
    return JsonNumberText(text)


def read_json(required: bool = True):
    """The request body as JSON (``MISSING`` when empty and not required; a literal ``null`` is ``None``)."""
    limit = current_app.config.get("API_MAX_BODY", DEFAULT_MAX_BODY)
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem("too-large", _l("At most %(limit)s bytes are accepted.", limit=limit))
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise ApiProblem("too-large", _l("At most %(limit)s bytes are accepted.", limit=limit))
    if not data.strip():
        if required:
            raise ApiProblem("validation", errors=[("body", _l("A JSON object is required."))])
        return MISSING
    if not request.mimetype or not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise ApiProblem("unsupported-media-type")
    try:
        return json.loads(data.decode("utf-8"), parse_float=JsonNumberText, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        detail = error.msg if isinstance(error, json.JSONDecodeError) else type(error).__name__
        raise ApiProblem("malformed-json", _l("The body does not parse as JSON: %(reason)s.",
                                              reason=detail)) from None


def parse_body(fields: dict[str, Field], required: bool = True) -> dict:
    """Read and check the body against ``fields``; 422 naming every wrong field."""
    value = read_json(required)
    if value is MISSING:  # no body where none is needed; a body of ``null`` is refused as not an object
        value = {}
    try:
        return obj(fields)(value, "")
    except Invalid as error:
        raise ApiProblem("validation", errors=error.errors) from None


# ---- query parameters (always strings) --------------------------------------------------

def int_param(minimum: int, maximum: int) -> Parser:
    def parse(value: str, path):
        if not re.fullmatch(r"[0-9]{1,9}", value):
            raise invalid(path, _l("Must be a whole number."))
        return integer(minimum, maximum)(int(value), path)
    return parse


def date_param(value: str, path) -> dt.date:
    return date(value, path)


def text_param(max_length: int = 64) -> Parser:
    return string(max_length)


#: Query parameters every endpoint accepts besides its own (the language switch of the site).
IGNORED_PARAMS = {"lang"}


def parse_query(fields: dict[str, Field]) -> dict:
    """The query parameters, checked like a body: unknown ones are refused (a typo is not ignored)."""
    args = request.args
    errors, result = [], {}
    for name in args:
        if name not in fields and name not in IGNORED_PARAMS:
            errors.append((name, _l("Unknown query parameter. Allowed: %(allowed)s.",
                                   allowed=", ".join(fields) or "-")))
        elif len(args.getlist(name)) > 1:
            errors.append((name, _l("Give this parameter once.")))
    for name, field in fields.items():
        if name not in args:
            if field.required:
                errors.append((name, _l("This parameter is required.")))
            else:
                result[name] = field.default
            continue
        try:
            result[name] = field.parse(args[name], name)
        except Invalid as error:
            errors.extend(error.errors)
    if errors:
        raise ApiProblem("validation", errors=errors)
    return result


def idempotency_key(required: bool = True) -> str | None:
    """The ``Idempotency-Key`` header: 1 to 80 visible ASCII characters."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        if required:
            raise ApiProblem("missing-header", _l("Send an Idempotency-Key header (1 to 80 visible ASCII "
                                                  "characters, e.g. a UUID) so a retry cannot post twice."),
                             [("Idempotency-Key", _l("This header is required."))])
        return None
    if not KEY_PATTERN.match(key):
        raise ApiProblem("missing-header", errors=[
            ("Idempotency-Key", _l("Must be 1 to 80 visible ASCII characters, e.g. a UUID."))])
    return key
