"""Strict reading of one imported cell: amounts, dates, years and codes.

An import is history, so nothing is guessed: an amount is plain digits with at most two
decimals (thousands separators allowed), no sign, no exponent, no ``NaN``; a date is
``YYYY-MM-DD`` (or ``YYYY/MM/DD``). Each refusal names the column and says what is
allowed, and becomes one line of the import's error report.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..base import MAX_AMOUNT, money
from ..errors import DomainError, N_

AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


class CellError(DomainError):
    """A cell whose text is not a value of its column's kind."""


def required(text: str, column: str) -> str:
    if not text:
        raise CellError(N_("%(column)s is required."), field=column, column=column)
    return text


def amount(text: str, column: str, blank_is_zero: bool = False) -> Decimal:
    """An amount of CNY, at least 0: ``1234.5``, ``1,234.50``; never ``-0``, ``1e3``, ``NaN``."""
    text = text.replace(" ", "")
    if not text and blank_is_zero:
        return money(0)
    required(text, column)
    if not AMOUNT.match(text):
        raise CellError(
            N_("%(column)s: %(value)r is not an amount: write digits with at most two decimals "
               "and no sign, e.g. 1234.50."), field=column, column=column, value=text[:40])
    value = Decimal(text.replace(",", ""))
    if value > MAX_AMOUNT:
        raise CellError(N_("%(column)s: %(value)s is larger than %(max)s."), field=column,
                        column=column, value=text[:40], max=MAX_AMOUNT)
    return money(value)


def date(text: str, column: str) -> dt.date:
    match = DATE.match(required(text, column))
    try:
        if match is None:
            raise ValueError
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(N_("%(column)s: %(value)r is not a date: write YYYY-MM-DD."), field=column,
                        column=column, value=text[:40]) from None


def year(text: str, column: str) -> int:
    if not re.fullmatch(r"\d{4}", required(text, column)) or not 2000 <= int(text) <= 2999:
        raise CellError(N_("%(column)s: %(value)r is not a year such as 2025."), field=column,
                        column=column, value=text[:40])
    return int(text)
