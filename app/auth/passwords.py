"""Password hashing with Argon2id (argon2-cffi), and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ledger.errors import N_

_strong = PasswordHasher()
#: For the test suite only: the same algorithm with a tiny cost.
_fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
#: Verified against when the user does not exist, so both answers take as long.
_DUMMY = _strong.hash("not-a-real-password")

MIN_LENGTH = 10


def hasher(fast: bool = False) -> PasswordHasher:
    return _fast if fast else _strong


def hash_password(password: str, fast: bool = False) -> str:
    return hasher(fast).hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash costs the same time and fails."""
    try:
        return _strong.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is too weak, or ``None`` when it will do (English msgid)."""
    if len(password) < MIN_LENGTH:
        return N_("Password must have at least %(min)d characters.")
    if username and username.lower() in password.lower():
        return N_("Password must not contain the user name.")
    if len(set(password)) < 4:
        return N_("Password is too repetitive.")
    return None
