"""The demo city: a small but complete organisation with one account per role.

Two districts, four streets, twelve communities, so that a newcomer can log in as each
role and see that a secretary sees only her community and a street only its own. The
same builder makes the tests' foreign city (codes prefixed ``X``), so every page can be
tried against an organisation outside the user's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ledger.organisations import Organisation, by_code, import_tree_csv

from .auth.operations import create_user
from .demo_activity import populate

DEMO_PASSWORD = "shequ-demo-2026"

#: code (without prefix), name, level, parent code (without prefix)
DEMO_TREE = [
    ("DEMO", "示范市", "city", ""),
    ("D01", "河东区", "district", "DEMO"),
    ("D02", "河西区", "district", "DEMO"),
    ("S0101", "春华街道", "street", "D01"),
    ("S0102", "秋实街道", "street", "D01"),
    ("S0201", "明珠街道", "street", "D02"),
    ("S0202", "长青街道", "street", "D02"),
    ("Q010101", "春华一社区", "community", "S0101"),
    ("Q010102", "春华二社区", "community", "S0101"),
    ("Q010103", "春华三社区", "community", "S0101"),
    ("Q010201", "秋实一社区", "community", "S0102"),
    ("Q010202", "秋实二社区", "community", "S0102"),
    ("Q010203", "秋实三社区", "community", "S0102"),
    ("Q020101", "明珠东社区", "community", "S0201"),
    ("Q020102", "明珠西社区", "community", "S0201"),
    ("Q020103", "明珠南社区", "community", "S0201"),
    ("Q020201", "长青一社区", "community", "S0202"),
    ("Q020202", "长青二社区", "community", "S0202"),
    ("Q020203", "长青三社区", "community", "S0202"),
]

#: The accounts of each organisation level: role and the user-name prefix.
ACCOUNTS_FOR_LEVEL = {
    "city": [("admin", "admin")],
    "district": [("district_oversight", "oversight")],
    "street": [("street_committee", "committee"), ("street_finance", "finance"), ("street_finance", "finance2"),
               ("street_finance", "finance3")],
    "community": [("community_staff", "secretary")],
}
TITLE = {"admin": "管理员", "oversight": "区委组织部", "committee": "党工委", "finance": "财务制单",
         "finance2": "财务审核", "finance3": "财务记账", "secretary": "书记"}


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str


class DemoAlreadyLoaded(Exception):
    pass


def tree_csv(prefix: str = "", city_name: str = "示范市") -> str:
    """The demo tree as import CSV, every code prefixed (the city renamed when asked)."""
    rows = ["code,name,level,parent_code"]
    for code, name, level, parent in DEMO_TREE:
        name = city_name if level == "city" else (f"{city_name[:2]}{name}" if prefix else name)
        rows.append(f"{prefix}{code},{name},{level},{prefix + parent if parent else ''}")
    return "\n".join(rows) + "\n"


def load_demo(
    session: Session, evidence_folder: Path, prefix: str = "", city_name: str = "示范市",
    today: dt.date | None = None, fast_hash: bool = False, *, secret: str,
) -> list[DemoAccount]:
    """Create the demo city, its accounts and a year of activity; refuse if it is there.

    ``evidence_folder`` receives the demo's evidence files (completion reports); ``secret``
    is the application's key, which its households' survey codes are made with.
    """
    city_code = f"{prefix}DEMO"
    if by_code(session, city_code) is not None:
        raise DemoAlreadyLoaded(f"the demo city (code {city_code}) is already loaded")
    report = import_tree_csv(session, tree_csv(prefix, city_name))
    if not report.ok:  # the tree above is fixed; this only fails if the rules changed
        raise RuntimeError(f"demo tree refused: {[e.message for e in report.errors]}")
    city = by_code(session, city_code)
    accounts = []
    for org in [city, *_walk(city)]:
        for role, name in ACCOUNTS_FOR_LEVEL[org.level]:
            username = name if org.level == "city" and not prefix else f"{name}-{org.code.lower()}"
            create_user(session, username, f"{org.name}{TITLE[name]}", DEMO_PASSWORD,
                        role=role, org=org, fast_hash=fast_hash)
            accounts.append(DemoAccount(username, role, f"{org.name} ({org.code})"))
    populate(session, city, evidence_folder, today or dt.date.today(), secret)
    return accounts


def _walk(root: Organisation):
    for child in root.children:
        yield child
        yield from _walk(child)
