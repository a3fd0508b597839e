"""Route tables of the access matrix, one module per area (see test_access_matrix.py).

Each module defines ``ROUTES: dict[endpoint, Route]`` and may define
``targets(session, scope) -> dict`` giving the ids its URLs name, for the scope
``own`` (in 春华一社区 Q010101, inside every demo role's organisation), ``sibling``
(in 春华二社区 Q010102: same street, another community) or ``foreign`` (in the foreign
city's XQ010101, outside every demo role's organisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

#: The demo accounts the matrix logs in as; each one's organisation contains Q010101.
ROLES = ["anonymous", "admin", "oversight-d01", "committee-s0101", "finance-s0101", "secretary-q010101"]
EVERYONE = frozenset(ROLES)
STAFF = EVERYONE - {"anonymous"}
ADMIN = frozenset({"admin"})
SECRETARY = frozenset({"secretary-q010101"})
COMMITTEE = frozenset({"committee-s0101"})
FINANCE = frozenset({"finance-s0101"})
OVERSIGHT = frozenset({"oversight-d01", "committee-s0101"})
#: Roles that may read a community's projects (``project.view``).
PROJECT_READERS = frozenset({"oversight-d01", "committee-s0101", "finance-s0101", "secretary-q010101"})
#: Roles that may read a community's books (``books.view``).
BOOK_READERS = PROJECT_READERS
COMMUNITY_ONLY = frozenset({"secretary-q010101"})  # the only role denied in the sibling scope


@dataclass
class Route:
    """One URL of the application and who may use it.

    ``url`` may name ``{org}``, ``{user}``, ``{project}`` ... from the targets of the scope
    under test. ``scoped`` routes name an object of an organisation and are tried in all
    three scopes; the others only as ``own``. ``data`` is posted (with a CSRF token).
    ``public`` routes answer a visitor too (no redirect to the login page).
    ``api`` routes authenticate by token only: to the matrix's cookie clients, logged in
    or not, they answer 401 and change nothing (tests/app/test_api*.py test them by token).
    """

    method: str
    url: str
    allowed: frozenset[str]
    scoped: bool = False
    data: dict | Callable[[dict], dict] = field(default_factory=dict)
    public: bool = False
    api: bool = False
