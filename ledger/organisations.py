"""The organisation tree: city (市) → district (区) → street office (街道) → community (社区).

These are the accounting entities whose books the ledger keeps, and the scopes to which
every role is bound. Each node stores its ``path`` of codes (``/C01/D01/S01/``) so that
"everything under this street" is a single indexed prefix match.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, utcnow
from .errors import DomainError, N_

LEVELS = ("city", "district", "street", "community")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
NAME_MAX = 100


class OrganisationError(DomainError):
    """An organisation that cannot be created, renamed, moved or imported as asked."""


class Organisation(Base):
    """A node of the organisation tree (组织机构): city, district, street or community."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("level IN ('city', 'district', 'street', 'community')", name="level_known"),
        CheckConstraint("(level = 'city') = (parent_id IS NULL)", name="only_city_is_root"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(
        back_populates="parent", order_by="Organisation.code"
    )

    @property
    def depth(self) -> int:
        return LEVELS.index(self.level)

    def contains(self, other: Organisation) -> bool:
        """Whether ``other`` is this node or lies below it."""
        return other.path.startswith(self.path)

    def ancestor_at(self, level: str) -> Organisation | None:
        """This node's ancestor (or itself) at ``level``, if it has one."""
        node: Organisation | None = self
        while node is not None and node.level != level:
            node = node.parent
        return node

    def __repr__(self) -> str:
        return f"<Organisation {self.code} {self.level} {self.name!r}>"


def child_level(level: str) -> str | None:
    """The level directly below ``level`` (``None`` below a community)."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def subtree(root: Organisation):
    """A ``select`` of every organisation at or below ``root``."""
    return select(Organisation).where(Organisation.path.startswith(root.path, autoescape=True))


def by_code(session: Session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.code == code))


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise OrganisationError(
            N_("Code %(code)r is not valid: use 1 to 32 letters, digits, '-' or '_'."),
            field="code",
            code=code,
        )
    return code


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise OrganisationError(N_("Name is required."), field="name")
    if len(name) > NAME_MAX:
        raise OrganisationError(
            N_("Name is longer than %(max)d characters."), field="name", max=NAME_MAX
        )
    return name


def _check_placement(level: str, parent: Organisation | None) -> None:
    _check_level(level)
    if level == "city":
        if parent is not None:
            raise OrganisationError(N_("A city has no parent."), field="parent_code")
        return
    if parent is None:
        raise OrganisationError(
            N_("A %(level)s needs a parent."), field="parent_code", level=level
        )
    if child_level(parent.level) != level:
        raise OrganisationError(
            N_("A %(level)s cannot be placed under a %(parent_level)s."),
            field="parent_code",
            level=level,
            parent_level=parent.level,
        )


def add_organisation(
    session: Session, code: str, name: str, level: str, parent: Organisation | None
) -> Organisation:
    """Create a node under ``parent`` after checking code, name and level."""
    code, name = _check_code(code), _check_name(name)
    level = (level or "").strip()
    _check_placement(level, parent)
    if by_code(session, code) is not None:
        raise OrganisationError(
            N_("Code %(code)s is already used."), field="code", code=code
        )
    org = Organisation(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=(parent.path if parent else "/") + code + "/",
    )
    session.add(org)
    session.flush()
    return org


def rename_organisation(org: Organisation, name: str) -> None:
    """Give ``org`` a new display name; its code, and so its books, stay the same."""
    org.name = _check_name(name)


def move_organisation(session: Session, org: Organisation, new_parent: Organisation) -> None:
    """Place ``org`` (and everything below it) under ``new_parent`` of the right level."""
    _check_placement(org.level, new_parent)
    old_prefix, new_prefix = org.path, new_parent.path + org.code + "/"
    for node in session.scalars(subtree(org)):
        node.path = new_prefix + node.path[len(old_prefix):]
    org.parent = new_parent
    session.flush()


@dataclass
class RowError:
    """A problem on one line of an imported file, translatable like a ``DomainError``."""

    line: int
    field: str | None
    template: str
    params: dict = field(default_factory=dict)

    @classmethod
    def of(cls, line: int, error: DomainError) -> RowError:
        return cls(line, error.field, error.template, error.params)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


@dataclass
class ImportReport:
    """What an import did, or, when ``errors`` is not empty, why it did nothing."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


TREE_COLUMNS = ("code", "name", "level", "parent_code")


def import_tree_csv(session: Session, text: str, within: list[str] | None = None) -> ImportReport:
    """Import ``code,name,level,parent_code`` rows: all of them, or none.

    Rows may come in any order (a community before its street). An existing code is
    renamed, or moved when its parent differs; its level cannot change. ``within``
    limits every row to the subtrees with those paths (an administrator's scope).
    When any row is wrong, nothing is written and the report lists the wrong rows.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in TREE_COLUMNS if c not in header]
    if missing:
        report.errors.append(RowError(
            1, None, N_("Missing columns: %(missing)s. Expected: %(expected)s."),
            {"missing": ", ".join(missing), "expected": ",".join(TREE_COLUMNS)},
        ))
        return report

    rows: dict[str, tuple[int, dict]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        try:
            code = _check_code(row["code"])
            _check_name(row["name"])
            _check_level(row["level"])
        except OrganisationError as error:
            report.errors.append(RowError.of(line, error))
            continue
        if code in rows:
            report.errors.append(RowError(
                line, "code", N_("Code %(code)s repeats line %(first)d."), {"code": code, "first": rows[code][0]}
            ))
            continue
        rows[code] = (line, row)
    if report.errors:
        return report

    savepoint = session.begin_nested()
    placed: set[str] = set()
    try:
        for code in rows:
            _place_row(session, rows, code, placed, report, chain=(), within=within)
    except OrganisationError as error:
        report.errors.append(RowError.of(error.line, error))
        savepoint.rollback()
        report.created = report.updated = 0
    else:
        savepoint.commit()
    return report


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise OrganisationError(
            N_("Level %(level)r is unknown: use city, district, street or community."),
            field="level", level=level,
        )


def _place_row(session, rows, code, placed, report, chain, within) -> None:
    """Create or update the row for ``code``, its parent row first."""
    if code in placed:
        return
    line, row = rows[code]
    try:
        if code in chain:
            raise OrganisationError(N_("The parents form a cycle."), field="parent_code")
        parent_code = row["parent_code"]
        if parent_code in rows:
            _place_row(session, rows, parent_code, placed, report, chain + (code,), within)
        parent = by_code(session, parent_code) if parent_code else None
        if parent_code and parent is None:
            raise OrganisationError(
                N_("Parent %(code)s does not exist."), field="parent_code", code=parent_code
            )
        existing = by_code(session, code)
        if existing is None:
            add_organisation(session, code, row["name"], row["level"], parent)
            report.created += 1
        else:
            if existing.level != row["level"]:
                raise OrganisationError(
                    N_("%(code)s is a %(level)s and cannot become a %(new_level)s."),
                    field="level", code=code, level=existing.level, new_level=row["level"],
                )
            changed = existing.name != row["name"] or existing.parent is not parent
            rename_organisation(existing, row["name"])
            if existing.parent is not parent:
                move_organisation(session, existing, parent)
            report.updated += int(changed)
        placed_path = by_code(session, code).path
        if within is not None and not any(placed_path.startswith(p) for p in within):
            raise OrganisationError(
                N_("%(code)s lies outside the organisations you manage."), field="parent_code", code=code
            )
    except OrganisationError as error:
        if not hasattr(error, "line"):
            error.line = line
        raise
    placed.add(code)
