"""The small city every core test starts from: one street with two communities, a chart.

``tests/ledger/conftest.py`` (a finance office's ``World``) and ``tests/workflows/conftest.py``
(a community's ``Flow``) both start from it and add their own people and books.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledger.accounts import seed_default_chart
from ledger.dimensions import seed_default_dimensions
from ledger.organisations import Organisation, add_organisation
from ledger.users import User


@dataclass
class City:
    city: Organisation
    street: Organisation
    community: Organisation
    neighbour: Organisation


def build_city(session: Session) -> City:
    """示范市 > 河东区 > 春华街道 > 春华一社区 (Q1) and 春华二社区 (Q2), with the default chart,
    funding sources and purposes."""
    city = add_organisation(session, "C1", "示范市", "city", None)
    district = add_organisation(session, "D1", "河东区", "district", city)
    street = add_organisation(session, "S1", "春华街道", "street", district)
    community = add_organisation(session, "Q1", "春华一社区", "community", street)
    neighbour = add_organisation(session, "Q2", "春华二社区", "community", street)
    seed_default_chart(session, city)
    seed_default_dimensions(session, city)
    return City(city, street, community, neighbour)


def make_user(session: Session, username: str) -> User:
    user = User(username=username, display_name=username)
    session.add(user)
    session.flush()
    return user
