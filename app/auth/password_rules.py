"""What a new password must be: NIST SP 800-63B-4 (2025), section 3.1.1.2.

- at least ``MIN_LENGTH`` (15) characters, counted as typed and again after Unicode NFKC
  normalisation (one ligature such as U+FDFA expands to 18): the minimum NIST sets for a
  password that is the only factor, as it is here; at most
  ``MAX_LENGTH`` (256), well above the 64 NIST asks verifiers to allow;
- no composition rules (no "one digit, one capital"): any character, spaces and Chinese
  included, and no forced periodic change;
- not on a list of common and breached passwords (``common_passwords.txt``), nor one of them
  with a little added ("password12345678"), nor a sequence, keyboard walk or repetition
  ("qwertyuiopasdfgh", "1234567890123456", "woaini1314woaini1314");
- not containing its context: the user name or a part of it (also without punctuation, or
  reversed),
  the person's name, the name of this system.

Characters that show as nothing (soft hyphens, zero-width spaces: Unicode format
characters) are left out before the checks, so they cannot hide a common password.

Each refusal is a ``WeakPassword`` naming the field ``password`` and saying what to change.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from ledger.errors import DomainError, N_

from .passwords import normalise

MIN_LENGTH = 15
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")

#: The name of this system in the forms a person might build a password from (compacted:
#: lower case, letters and digits only).
SERVICE_NAMES = ("communityservicefunds", "communityfunds", "社区服务经费", "服务群众经费")

#: Sequences and keyboard walks; any stretch of them, forwards or backwards, is predictable.
_WALKS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "qwertyuiop", "asdfghjkl",
          "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp", "1q2w3e4r5t6y7u8i9o0p",
          "a1b2c3d4e5f6g7h8i9j0", "1a2b3c4d5e6f7g8h9i0j", "!@#$%^&*()", "147258369", "159753")
_REPEATED = re.compile(r"(.{1,10}?)\1+", re.DOTALL)
#: Longest piece of the list looked for inside a password (its entries are at most 20 long).
_LONGEST_ENTRY = 24
#: A few digits or signs around a common password ("2026", "!!") add next to nothing.
_FILLER = re.compile(r"[\W\d_]{1,4}")


class WeakPassword(DomainError):
    """A new password that does not meet the rules, with which rule and what to do."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The list, read once per process."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def _walks() -> tuple[str, ...]:
    long = [(walk * (2 + MAX_LENGTH // len(walk))) for walk in _WALKS]
    return tuple(long + [walk[::-1] for walk in long])


def _compact(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def is_pattern(text: str) -> bool:
    """A sequence, a keyboard walk, a repetition of a short piece, or two characters at most."""
    if len(set(text)) <= 2 or _REPEATED.fullmatch(text):
        return True
    return len(text) >= 3 and any(text in walk for walk in _walks())


def _predictable(piece: str) -> bool:
    return piece in common_passwords() or is_pattern(piece)


def is_common(password: str) -> bool:
    """On the list, or one or two predictable pieces with a few digits or signs around them."""
    text = password.lower()
    if _predictable(text):
        return True
    if len(text) > 3 * _LONGEST_ENTRY:
        return False
    return _covered(text, pieces_left=2, fillers_left=2)


@functools.lru_cache(maxsize=4096)
def _covered(text: str, pieces_left: int, fillers_left: int) -> bool:
    """Whether ``text`` is made of at most that many predictable pieces and short fillers
    (remembered per suffix, so a long password costs polynomial time, not exponential)."""
    if not text:
        return True
    for end in range(len(text), 0, -1):
        head, rest = text[:end], text[end:]
        if pieces_left and (len(head) <= _LONGEST_ENTRY or is_pattern(head)) and _predictable(head):
            if _covered(rest, pieces_left - 1, fillers_left):
                return True
        if fillers_left and _FILLER.fullmatch(head) and _covered(rest, pieces_left, fillers_left - 1):
            return True
    return False


def _holds_name(password: str, username: str) -> bool:
    """Whether the password holds the user name, or a part of it of 4 or more characters,
    as typed or reversed, punctuation ignored ("q010102-yraterces" for secretary-q010102)."""
    compact = _compact(password)
    parts = {_compact(username)} | {_compact(p) for p in re.split(r"[\W_]+", username) if len(_compact(p)) >= 4}
    return username in password.lower() or any(
        len(part) >= 3 and (part in compact or part[::-1] in compact) for part in parts)


def password_problem(password: str, username: str = "", display_name: str = "") -> WeakPassword | None:
    """Why ``password`` may not be chosen by this user, or ``None`` when it will do."""
    typed = password or ""
    password = "".join(ch for ch in normalise(typed) if unicodedata.category(ch) != "Cf")
    lower = password.lower()
    if min(len(typed), len(password)) < MIN_LENGTH:
        return WeakPassword(N_("Password must have at least %(min)d characters."), field="password", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return WeakPassword(N_("Password may have at most %(max)d characters."), field="password", max=MAX_LENGTH)
    username = normalise(username or "").strip().lower()
    if len(username) >= 3 and _holds_name(password, username):
        return WeakPassword(N_("Password must not contain the user name."), field="password")
    display_name = normalise(display_name or "").strip().lower()
    if len(display_name) >= 2 and display_name in lower:
        return WeakPassword(N_("Password must not contain your name."), field="password")
    if any(name in _compact(password) for name in SERVICE_NAMES):
        return WeakPassword(N_("Password must not contain the name of this system."), field="password")
    if is_common(password):
        return WeakPassword(N_("This password is too common: it is on lists of breached passwords, or is built "
                               "from one, a sequence, a keyboard row or a repetition. Choose another, for "
                               "example a few words that do not belong together."), field="password")
    return None


def check_new_password(password: str, username: str = "", display_name: str = "") -> str:
    """``password`` normalised, or ``WeakPassword`` raised with the reason."""
    problem = password_problem(password, username, display_name)
    if problem is not None:
        raise problem
    return normalise(password)
