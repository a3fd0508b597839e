"""Counting attempts in the rate limiter's storage (memory, or Redis shared by every worker).

Flask-Limiter's decorators answer a bare 429 before the view runs. The forms of residents
and the login form must answer with the form itself, what was typed and why, and the login
counts failures rather than attempts: these checks run inside the view, on the same storage.
"""

from __future__ import annotations

from flask import current_app
from limits import parse_many

from .extensions import limiter


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def hit(limits: str, *key: str) -> bool:
    """Count one attempt under ``key`` against each of ``limits`` ("5 per minute;100 per day");
    whether it is within all of them. Counting and checking are one step in the store, so
    parallel requests cannot all slip under the limit."""
    if not enabled():
        return True
    return all([limiter.limiter.hit(limit, *key) for limit in parse_many(limits)])


def clear(limits: str, *key: str) -> None:
    """Forget what was counted under ``key`` (a login that succeeded releases its attempts)."""
    if enabled():
        for limit in parse_many(limits):
            limiter.limiter.clear(limit, *key)
