"""Password hashing with Argon2id (argon2-cffi). The rules a new password must meet are in
``password_rules.py``."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_strong = PasswordHasher()
#: For the test suite only: the same algorithm with a tiny cost.
_fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
#: Verified against when the user does not exist, so both answers take as long.
_DUMMY = _strong.hash("not-a-real-password")


def normalise(password: str) -> str:
    """The password in Unicode NFKC (NIST SP 800-63B 3.1.1.2): a full-width ``Ａ`` or a
    composed ``é`` typed on another keyboard is the same password."""
    return unicodedata.normalize("NFKC", password)


def hasher(fast: bool = False) -> PasswordHasher:
    return _fast if fast else _strong


def hash_password(password: str, fast: bool = False) -> str:
    return hasher(fast).hash(normalise(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash costs the same time and fails.

    A password set before hashing normalised it is tried as typed too, so no one is locked
    out by the change (ASCII passwords are the same either way).
    """
    candidates = dict.fromkeys([normalise(password), password])
    return any(_matches(stored_hash, candidate) for candidate in candidates) and stored_hash is not None


def _matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _strong.verify(stored_hash or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False
