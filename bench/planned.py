"""The rows the generator plans to write: vouchers and projects, decided before anything is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass
class PlannedVoucher:
    organisation: str
    reference: str
    date: dt.date
    description: str
    lines: list[tuple]  # (account, debit, credit, project, purpose, source, memo)
    key: str | None = None  # the idempotency key, when not the voucher import's


@dataclass
class PlannedProject:
    organisation: str
    code: str
    title: str
    purpose: str
    amount: Decimal
