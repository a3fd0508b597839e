"""The roles of DOMAIN.md and what each may do, as data.

A role is held over an organisation; an action on an object is allowed when one of the
user's roles grants the action and the object's organisation lies in that role's
organisation. The level says where a role may be assigned.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Role:
    name: str
    title: object  # lazy translated string
    level: str
    actions: frozenset[str]


#: Every action the application checks. Add one here before using it in a controller.
ACTIONS = {
    "org.view": "see an organisation and its figures inside the application",
    "org.manage": "create, rename and import organisations",
    "user.manage": "create users, assign roles, disable accounts",
    "config.manage": "purpose lists, chart of accounts, process definitions",
    "system.view": "see the state of background jobs",
    "community.work": "collect needs, draft projects, record meetings and notices, upload evidence, request payments",
    "project.view": "read a community's projects, meetings, notices and evidence",
    "project.review": "approve, return or reject a community's projects; fast-approve emergencies",
    "books.view": "read the books and financial reports",
    "books.post": "enter, review, post and reverse vouchers; record allocations; close periods and years; import",
    "budget.override": "grant or refuse a clerk's request to post past a project's approval or the money received",
    "oversight.view": "oversight dashboards, evaluation and exports",
    "evaluation.manage": "edit evaluation templates and enter evaluated indicators",
}

ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role("community_staff", _l("Community secretary / staff"), "community",
             frozenset({"org.view", "community.work", "project.view", "books.view"})),
        Role("street_committee", _l("Street party committee"), "street",
             frozenset({"org.view", "project.view", "project.review", "books.view", "oversight.view",
                        "budget.override"})),
        Role("street_finance", _l("Street finance"), "street",
             frozenset({"org.view", "project.view", "books.view", "books.post"})),
        Role("district_oversight", _l("District oversight / auditor"), "district",
             frozenset({"org.view", "project.view", "books.view", "oversight.view", "evaluation.manage"})),
        Role("admin", _l("Administrator"), "city",
             frozenset({"org.view", "org.manage", "user.manage", "config.manage", "system.view"})),
    )
}

assert all(a in ACTIONS for role in ROLES.values() for a in role.actions)
