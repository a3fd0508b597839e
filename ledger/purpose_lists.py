"""Editing a city's positive list (正面清单) and negative list (负面清单) of fund uses.

A category is never deleted: lines and projects name it. Deactivating a negative entry
stops its keywords from refusing lines (``negative_rules`` reads only active entries);
deactivating a positive entry takes it out of the choices of new needs and projects.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from .dimensions import NEGATIVE, NO_PROJECT, POSITIVE, PurposeCategory, purpose
from .errors import DomainError, N_
from .organisations import Organisation

CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class PurposeListError(DomainError):
    """A change to a purpose list that cannot be made as asked."""


def normalise_keywords(listed: str, keywords: str) -> str:
    """``|``-separated keywords, stripped and without repeats; only a negative entry has any."""
    words: list[str] = []
    for word in (keywords or "").replace("｜", "|").split("|"):
        word = word.strip()
        if word and word not in words:
            words.append(word)
    if words and listed != NEGATIVE:
        raise PurposeListError(
            N_("Only an entry of the negative list has keywords."), field="keywords"
        )
    return "|".join(words)


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise PurposeListError(N_("A name is required."), field="name")
    return name


def add_purpose(
    session: Session, city: Organisation, code: str, name: str, listed: str, keywords: str = ""
) -> PurposeCategory:
    """Add an entry to the city's positive or negative list (flushes)."""
    code = (code or "").strip()
    if not CODE.match(code):
        raise PurposeListError(
            N_("Code %(code)r must start with a lower-case letter and hold only a-z, 0-9 and _ "
               "(at most 32)."),
            field="code", code=code,
        )
    if listed not in (POSITIVE, NEGATIVE):
        raise PurposeListError(N_("Choose the positive or the negative list."), field="listed")
    if purpose(session, city, code) is not None:
        raise PurposeListError(
            N_("Code %(code)s is already on a list of this city."), field="code", code=code
        )
    category = PurposeCategory(
        city_id=city.id, code=code, name=_name(name), listed=listed,
        keywords=normalise_keywords(listed, keywords), is_active=True,
    )
    session.add(category)
    session.flush()
    return category


def update_purpose(session: Session, category: PurposeCategory, name: str, keywords: str = "") -> PurposeCategory:
    """Rename an entry and, on the negative list, replace its keywords (flushes)."""
    category.name = _name(name)
    category.keywords = normalise_keywords(category.listed, keywords)
    session.flush()
    return category


def set_purpose_active(session: Session, category: PurposeCategory, active: bool) -> PurposeCategory:
    """Deactivate or reactivate an entry; the rule against spending without a project stays."""
    if not active and category.code == NO_PROJECT:
        raise PurposeListError(
            N_("The rule %(rule)s is built into the posting rules and stays active."),
            field="category", rule=category.name,
        )
    category.is_active = active
    session.flush()
    return category
