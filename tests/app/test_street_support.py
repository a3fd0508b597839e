"""Fixtures shared by the street and oversight tests (no tests here).

``city`` is the demo city and the foreign city ``X…`` (the shared ``world`` fixture);
``YEAR`` is the fiscal year of its activity.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.organisations import by_code
from workflows.projects import Project
from tests.conftest import WORLD_TODAY

YEAR = WORLD_TODAY.year


@pytest.fixture
def city(world):
    """The demo world of ``tests/conftest.py`` (its name here keeps the imports explicit)."""
    return world


def project(session, community_code: str, code: str) -> Project:
    session.commit()  # end the read transaction: a new one sees what the app committed
    community = by_code(session, community_code)
    return session.scalar(select(Project).where(Project.community_id == community.id, Project.code == code))


def cells(page: str, attribute: str, key: str) -> dict[str, str]:
    """The ``data-col`` cells of the row marked ``attribute="key"``, as their text."""
    row = re.search(rf'<(?:tr|dl)[^>]*{attribute}="{re.escape(key)}"[^>]*>(.*?)</(?:tr|dl)>', page, re.S)
    assert row, f"no row {attribute}={key}"
    return dict(re.findall(r'data-col="([a-z_]+)">([^<]*)<', row.group(1)))


def shown_money(value) -> str:
    return f"{Decimal(value):,.2f}"


def shown_rate(value) -> str:
    return "—" if value is None else f"{Decimal(value):.2f}%"
