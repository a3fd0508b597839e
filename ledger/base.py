"""The pieces every table of the cores shares: the declarative base, money and time.

Kept free of Flask so that the ledger, the workflow core, the CLI and the background
jobs all map the same tables through one ``MetaData``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from sqlalchemy import BigInteger, DateTime, MetaData, Numeric, TypeDecorator, func, type_coerce
from sqlalchemy.orm import DeclarativeBase

#: Constraint names that Alembic can diff and that an error message can quote.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")
#: Largest amount a ``Numeric(18, 2)`` column holds.
MAX_AMOUNT = Decimal("9999999999999999.99")
#: Largest single amount an entry may carry (a voucher line, an allocation, a budget, an
#: estimate): no entry of a community's fund comes near it, and any sum of such entries a
#: report makes still fits the columns. A larger one is a mistyped figure.
MAX_ENTRY = Decimal("999999999.99")


class MoneyError(ValueError):
    """A value that cannot be an amount of money (float, NaN, too many digits...)."""


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a ``Decimal`` of CNY with exactly two places.

    Floats are refused rather than converted: ``0.1 + 0.2`` is not money. Strings may
    carry thousands separators (``"1,234.50"``) and full-width characters, as a Chinese
    input method types them (``"１，２３４．５０"``). More than two decimal places is an
    error, not a silent rounding, because an amount typed as ``0.001`` is a mistake the
    user must see.
    """
    if type(value) is Decimal and value.is_finite() and value.as_tuple().exponent == -2 \
            and abs(value) <= MAX_AMOUNT:  # already money: the common case, kept cheap
        return value if value else Decimal("0.00")
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"amount must be a decimal string or integer, not {type(value).__name__}")
    if isinstance(value, str):
        # full-width digits, point and separators (１２３．４５, typed with a Chinese input method)
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if not text:
            raise MoneyError("amount is empty")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"not a number: {value!r}") from None
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise MoneyError(f"amount must be a decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise MoneyError(f"amount must be finite, not {value}")
    if abs(value) > MAX_AMOUNT:
        raise MoneyError(f"amount {value} is larger than {MAX_AMOUNT}")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise MoneyError(f"amount {value} has more than two decimal places")
    return value.quantize(CENT) + Decimal("0.00")  # + 0 turns -0.00 into 0.00


def round_money(value: Decimal) -> Decimal:
    """Round a computed amount (a share, a ratio times a sum) half-up to the fen."""
    return money(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


#: The communities' clock: China Standard Time (no daylight saving).
CHINA = dt.timezone(dt.timedelta(hours=8))


def china_today() -> dt.date:
    """Today's date on the communities' clock: nothing that happened is dated after it."""
    return utcnow().astimezone(CHINA).date()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite keeps text without an offset, so the
    offset is normalised on the way in and re-attached on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: every timestamp must carry its timezone")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Money(TypeDecorator):
    """The column type of every amount of money.

    ``NUMERIC(18, 2)`` on PostgreSQL. SQLite has no exact decimal type (it would keep
    a float), so there the amount is kept as an integer number of fen; sums computed
    by the database stay exact on both.
    """

    impl = Numeric(18, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = money(value)
        return int(value * 100) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


class Base(DeclarativeBase):
    """Declarative base of every table, in the cores and in the web application."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {Decimal: Money(), dt.datetime: UTCDateTime()}


MONEY = Money()


def money_sum(expression):
    """``sum(expression)`` read back as money (0.00 when there are no rows)."""
    return type_coerce(func.coalesce(func.sum(type_coerce(expression, MONEY)), 0), MONEY)
