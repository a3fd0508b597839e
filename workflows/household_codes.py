"""Household codes for the satisfaction survey (住户测评码), checkable without a table.

A code is the household's number (1..N, the order of the community's list) and a short
check: an HMAC of the community's code, the year and the number, keyed by the
application's secret. The community prints the codes of its households and hands each
its slip; the public rating form accepts only a code whose check matches, so nobody can
rate by inventing door numbers, and one household still rates a project once (its code
is the one stored). Changing the secret makes every printed code invalid.
"""

from __future__ import annotations

import hashlib
import hmac

from .errors import N_, WorkflowError

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_LENGTH = 6  # 31^6 ≈ 8.9e8: a guessed check is right about once in 900 million tries
MAX_HOUSEHOLDS = 20000


def _key(secret: str | bytes) -> bytes:
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"household-codes", hashlib.sha256).digest()  # used for nothing else


def _check(key: bytes, community_code: str, year: int, number: int) -> str:
    digest = hmac.new(key, f"{community_code}\x1f{year}\x1f{number}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CHECK_LENGTH):
        value, index = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def household_code(secret: str | bytes, community_code: str, year: int, number: int) -> str:
    """The code of household ``number`` of the community for ``year``: ``12-7KQ4XM``."""
    if not 1 <= number <= MAX_HOUSEHOLDS:
        raise WorkflowError(N_("Household numbers run from 1 to %(max)s."), field="count", max=MAX_HOUSEHOLDS)
    return f"{number}-{_check(_key(secret), community_code, year, number)}"


def household_codes(secret: str | bytes, community_code: str, year: int, count: int) -> list[tuple[int, str]]:
    """``(number, code)`` of households 1..``count``, for the slips the community hands out."""
    if not 1 <= count <= MAX_HOUSEHOLDS:
        raise WorkflowError(N_("Household numbers run from 1 to %(max)s."), field="count", max=MAX_HOUSEHOLDS)
    key = _key(secret)
    return [(n, f"{n}-{_check(key, community_code, year, n)}") for n in range(1, count + 1)]


def check_household_code(secret: str | bytes, community_code: str, year: int, code: str) -> str:
    """The code as stored (upper case, no spaces) if the community handed it out for ``year``.

    Refuses anything else with a ``WorkflowError`` on ``household_code``.
    """
    text = "".join((code or "").split()).upper()
    number, _, check = text.partition("-")
    if number.isdigit() and len(number) <= 5 and 1 <= int(number) <= MAX_HOUSEHOLDS and len(check) == CHECK_LENGTH:
        expected = _check(_key(secret), community_code, year, int(number))
        if hmac.compare_digest(check, expected):
            return f"{int(number)}-{check}"
    raise WorkflowError(
        N_("%(code)s is not a household code of this community for %(year)s: use the code on the slip "
           "the community handed out, like 12-7KQ4XM."),
        field="household_code", code=(code or "").strip()[:32], year=year,
    )
