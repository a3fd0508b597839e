"""Writes about passwords: a user changes their own, an administrator resets someone's.

Either way the old password stops opening anything: the user's other logins end and every
API token they had is revoked for good (recorded, with who and why). Each flushes and
audits; the caller commits.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from ledger.errors import DomainError, N_
from ledger.users import User

from ..api.tokens import revoke_all_tokens
from ..audit import record
from .models import LoginSession
from .password_rules import check_new_password, password_problem
from .passwords import hash_password, normalise, verify_password
from .sessions import end_all_sessions

#: Letters and digits a person copies without confusing them (no 0/o, 1/l/i).
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class PasswordError(DomainError):
    """A password change or reset that cannot be made as asked."""


def change_password(
    session: Session, user: User, current: str, new: str, keep: LoginSession | None, fast_hash: bool = False,
) -> int:
    """Set ``user``'s password to ``new`` once ``current`` is proven; end their logins but
    ``keep`` and revoke their tokens. Returns how many tokens were revoked."""
    if not verify_password(user.password_hash, current):
        raise PasswordError(N_("The current password is wrong."), field="current_password")
    new = check_new_password(new, user.username, user.display_name)
    if new == normalise(current):
        raise PasswordError(N_("The new password must differ from the current one."), field="password")
    forced = user.must_change_password
    user.password_hash = hash_password(new, fast=fast_hash)
    user.must_change_password = False
    end_all_sessions(session, user, keep=keep)
    revoked = revoke_all_tokens(session, user, by=user, reason="password changed")
    record(session, user.id, "password.change", user, tokens_revoked=revoked, after_reset=forced)
    session.flush()
    return revoked


def temporary_password() -> str:
    """Four groups of four random characters (about 79 bits), e.g. ``k7mq-x3vd-9tpe-h2wn``."""
    while True:
        groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
        candidate = "-".join(groups)
        if password_problem(candidate) is None:  # a random draw is refused about never; check anyway
            return candidate


def reset_password(session: Session, user: User, by: User, fast_hash: bool = False) -> str:
    """Give ``user`` a temporary password that must be changed at the next login; end all
    their logins and revoke their tokens. Returns the temporary password, to be shown once."""
    if by.id == user.id:
        raise PasswordError(N_("Change your own password on the password page, not by a reset."))
    temporary = temporary_password()
    user.password_hash = hash_password(temporary, fast=fast_hash)
    user.must_change_password = True
    end_all_sessions(session, user)
    revoked = revoke_all_tokens(session, user, by=by, reason="password reset")
    record(session, by.id, "password.reset", user, tokens_revoked=revoked)
    session.flush()
    return temporary
