"""Writes about people: create users, assign roles, disable accounts. Each flushes and audits.

Changing and resetting passwords are in ``credentials.py``.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import DomainError, N_
from ledger.organisations import Organisation
from ledger.users import User, named

from ..api.tokens import revoke_all_tokens
from ..audit import record
from .models import RoleAssignment
from .password_rules import check_new_password
from .passwords import hash_password
from .roles import ROLES
from .sessions import end_all_sessions

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")


class UserError(DomainError):
    """A user or role assignment that cannot be made as asked."""


def check_assignment(role: str, org: Organisation) -> None:
    if role not in ROLES:
        raise UserError(N_("Role %(role)r is unknown."), field="role", role=role)
    if org.level != ROLES[role].level:
        raise UserError(
            N_("This role is held over a %(expected)s, not a %(level)s."),
            field="organisation", expected=ROLES[role].level, level=org.level,
        )


def create_user(
    session: Session, username: str, display_name: str, password: str,
    role: str | None = None, org: Organisation | None = None,
    by: User | None = None, fast_hash: bool = False,
) -> User:
    """Create an account, optionally with its first role, after checking every field."""
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            N_("User name must be 3 to 64 letters, digits, '.', '-' or '_'."), field="username"
        )
    if session.scalar(select(User).where(named(username))) is not None:
        raise UserError(N_("User name %(username)s is taken."), field="username", username=username)
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 100:
        raise UserError(N_("Name is required (at most 100 characters)."), field="display_name")
    password = check_new_password(password, username, display_name)
    if role is not None:
        check_assignment(role, org)
    user = User(username=username, display_name=display_name,
                password_hash=hash_password(password, fast=fast_hash))
    session.add(user)
    session.flush()
    record(session, by.id if by else None, "user.create", user, username=username)
    if role is not None:
        assign_role(session, user, role, org, by=by)
    return user


def assign_role(session: Session, user: User, role: str, org: Organisation, by: User | None = None) -> RoleAssignment:
    check_assignment(role, org)
    existing = session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == role,
        RoleAssignment.organisation_id == org.id,
    ))
    if existing is not None:
        raise UserError(N_("The user already holds this role here."), field="role")
    assignment = RoleAssignment(user=user, role=role, organisation=org,
                                created_by_id=by.id if by else None)
    session.add(assignment)
    session.flush()
    record(session, by.id if by else None, "role.assign", user, role=role, organisation=org.code)
    return assignment


def revoke_role(session: Session, assignment: RoleAssignment, by: User | None = None) -> None:
    record(session, by.id if by else None, "role.revoke", assignment.user,
           role=assignment.role, organisation=assignment.organisation.code)
    session.delete(assignment)
    session.flush()


def set_active(session: Session, user: User, active: bool, by: User | None = None) -> None:
    """Enable or disable an account; disabling ends all its sessions at once and revokes its
    API tokens for good (enabling it again revives none of them)."""
    if by is not None and by.id == user.id and not active:
        raise UserError(N_("You cannot disable your own account."))
    user.is_active = active
    if not active:
        end_all_sessions(session, user)
        revoke_all_tokens(session, user, by, reason="account disabled")
    record(session, by.id if by else None, "user.enable" if active else "user.disable", user)
    session.flush()
