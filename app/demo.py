"""The demo city: a small but complete organisation with one account per role.

Two districts, four streets, twelve communities, so that a newcomer can log in as each
role and see that a secretary sees only her community and a street only its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledger.organisations import by_code, import_tree_csv

from .auth.operations import create_user

DEMO_PASSWORD = "shequ-demo-2026"

DEMO_TREE = """code,name,level,parent_code
DEMO,示范市,city,
D01,河东区,district,DEMO
D02,河西区,district,DEMO
S0101,春华街道,street,D01
S0102,秋实街道,street,D01
S0201,明珠街道,street,D02
S0202,长青街道,street,D02
Q010101,春华一社区,community,S0101
Q010102,春华二社区,community,S0101
Q010103,春华三社区,community,S0101
Q010201,秋实一社区,community,S0102
Q010202,秋实二社区,community,S0102
Q010203,秋实三社区,community,S0102
Q020101,明珠东社区,community,S0201
Q020102,明珠西社区,community,S0201
Q020103,明珠南社区,community,S0201
Q020201,长青一社区,community,S0202
Q020202,长青二社区,community,S0202
Q020203,长青三社区,community,S0202
"""

ROLE_PREFIX = {
    "admin": "admin",
    "district_oversight": "oversight",
    "street_committee": "committee",
    "street_finance": "finance",
    "community_staff": "secretary",
}
ROLE_LEVEL_NAME = {"admin": "管理员", "district_oversight": "区委组织部", "street_committee": "党工委",
                   "street_finance": "财务", "community_staff": "书记"}
ROLE_FOR_LEVEL = {
    "district": ["district_oversight"],
    "street": ["street_committee", "street_finance"],
    "community": ["community_staff"],
}


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str


class DemoAlreadyLoaded(Exception):
    pass


def load_demo(session: Session, fast_hash: bool = False) -> list[DemoAccount]:
    """Create the demo city and its accounts; refuse if it is already there."""
    if by_code(session, "DEMO") is not None:
        raise DemoAlreadyLoaded("the demo city (code DEMO) is already loaded")
    report = import_tree_csv(session, DEMO_TREE)
    if not report.ok:  # the tree above is fixed; this only fails if the rules changed
        raise RuntimeError(f"demo tree refused: {report.errors}")
    city = by_code(session, "DEMO")
    accounts = [_account(session, "admin", city, fast_hash)]
    for org in _walk(city):
        for role in ROLE_FOR_LEVEL.get(org.level, []):
            accounts.append(_account(session, role, org, fast_hash))
    return accounts


def _walk(root):
    for child in root.children:
        yield child
        yield from _walk(child)


def _account(session, role, org, fast_hash) -> DemoAccount:
    username = ROLE_PREFIX[role] if role == "admin" else f"{ROLE_PREFIX[role]}-{org.code.lower()}"
    create_user(session, username, f"{org.name}{ROLE_LEVEL_NAME[role]}", DEMO_PASSWORD,
                role=role, org=org, fast_hash=fast_hash)
    return DemoAccount(username, role, f"{org.name} ({org.code})")
