"""The navigation bar: each area registers its entries; a user sees those their roles allow.

Keeping the entries beside each blueprint means a new area never edits the base template.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    title: object  # lazy translated string
    action: str  # shown when the user may do this action somewhere
    order: int = 50


_ENTRIES: list[NavEntry] = []


def register_nav(endpoint: str, title, action: str, order: int = 50) -> None:
    """Add an entry to the bar (called once, at import of an area's blueprint module)."""
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(NavEntry(endpoint, title, action, order))


def nav_entries() -> list[tuple[str, object]]:
    """``(url, title)`` of the entries the current user may use, in order."""
    if not current_user.is_authenticated:
        return []
    return [(url_for(e.endpoint), e.title) for e in sorted(_ENTRIES, key=lambda e: e.order)
            if current_user.can(e.action)]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_entries"] = nav_entries
