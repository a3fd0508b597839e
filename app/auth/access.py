"""May this user do this action on this object? The one place that answers.

Controllers call ``require(action, org)`` for a single object and ``scope(stmt, action,
column)`` for every list, so no query reaches the database without the user's scope.
An object outside everything the user may see answers 404 (its existence is not
revealed); an object the user may see but not act on answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from flask_login import current_user
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from ledger.organisations import Organisation
from ledger.users import User

from .models import LoginSession, RoleAssignment
from .roles import ACTIONS, ROLES


@dataclass
class Principal:
    """The logged-in user of one request, with the roles loaded once (Flask-Login's user)."""

    user: User
    login: LoginSession
    token: str
    assignments: list[RoleAssignment] = field(default_factory=list)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def id(self) -> int:
        return self.user.id

    def get_id(self) -> str:
        return self.token

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    def paths_for(self, action: str) -> list[str]:
        """The path prefixes of the organisations where ``action`` is granted."""
        _check_action(action)
        return [a.organisation.path for a in self.assignments if action in ROLES[a.role].actions]

    def can(self, action: str, org: Organisation | None = None) -> bool:
        """Whether the action is granted at all (``org=None``) or on ``org``."""
        paths = self.paths_for(action)
        if org is None:
            return bool(paths)
        return any(org.path.startswith(p) for p in paths)


class Anonymous:
    """A visitor without login: a resident on the public pages."""

    is_authenticated = False
    is_anonymous = True
    is_active = False
    assignments: list = []
    roles: set = set()

    def get_id(self):
        return None

    def paths_for(self, action: str) -> list[str]:
        _check_action(action)
        return []

    def can(self, action: str, org: Organisation | None = None) -> bool:
        _check_action(action)
        return False


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}: declare it in app/auth/roles.py")


def org_filter(principal, action: str, path_column=Organisation.path):
    """A WHERE clause limiting ``path_column`` to where ``principal`` may do ``action``."""
    paths = principal.paths_for(action)
    if not paths:
        return false()
    return or_(*(path_column.startswith(p, autoescape=True) for p in paths))


def scope(stmt, action: str, principal=None):
    """Limit a ``select`` that involves ``Organisation`` to the user's scope for ``action``."""
    principal = principal or current_user
    return stmt.where(org_filter(principal, action))


def visible_organisations(action: str = "org.view", level: str | None = None, principal=None):
    """A ``select`` of the organisations the user may act on, ordered by path."""
    stmt = scope(select(Organisation), action, principal).order_by(Organisation.path)
    if level:
        stmt = stmt.where(Organisation.level == level)
    return stmt


def require(action: str, org: Organisation | None = None, principal=None) -> None:
    """Abort the request unless the user may do ``action`` on ``org``.

    404 when the user may not even see ``org``; 403 when they see it but lack the action.
    """
    principal = principal or current_user
    if principal.can(action, org):
        return
    if org is not None and not principal.can("org.view", org):
        abort(404)
    abort(403)


def load_assignments(session: Session, user: User) -> list[RoleAssignment]:
    return list(
        session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.user_id == user.id)
            .join(RoleAssignment.organisation)
            .where(Organisation.is_active.is_(True))
            .order_by(Organisation.path, RoleAssignment.role)
        )
    )
