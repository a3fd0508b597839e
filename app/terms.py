"""Titles of the English codes the cores quote in their messages (levels, bases, statuses...).

A core's refusal names values by their code (``"financial"``, ``"posted"``,
``"street_committee"``); ``app.i18n.error_message`` shows them by these titles.
A key is a code, or ``"param:code"`` where one code means different things in
different params (the funding source ``city`` is "市级财政", the level ``city`` is "市").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .auth.roles import ROLES

TERMS = {
    # Organisation levels (also LEVEL_TITLES).
    "city": _l("city"),
    "district": _l("district"),
    "street": _l("street office"),
    "community": _l("community"),
    # Accounting bases (核算基础).
    "financial": _l("financial accounting"),
    "budget": _l("budget accounting"),
    # Account categories (科目类别).
    "asset": _l("assets"),
    "liability": _l("liabilities"),
    "net_assets": _l("net assets"),
    "revenue": _l("revenue"),
    "expense": _l("expenses"),
    "budget_revenue": _l("budget revenue"),
    "budget_expenditure": _l("budget expenditure"),
    "fund_balance": _l("fund balances"),
    # Sides of a line (借贷方向).
    "debit": _l("debit"),
    "credit": _l("credit"),
    # Voucher statuses, annual plan statuses.
    "draft": _l("draft"),
    "reviewed": _l("reviewed"),
    "posted": _l("posted"),
    "submitted": _l("submitted"),
    "approved": _l("approved"),
    "returned": _l("returned"),
    # A ledger project's state as a spending line sees it.
    "closed": _l("closed"),
    "not yet open for spending": _l("not yet open for spending"),
    # What a user does to a voucher (ledger.posting).
    "action:prepare": _l("prepare"),
    "action:review": _l("review"),
    "action:return": _l("return"),
    "action:post": _l("post"),
    "action:discard": _l("discard"),
    # Dimensions of a line and columns of an imported file (the msgid is the column's name,
    # the Chinese title one of its accepted aliases, see ledger.imports.kinds.ALIASES).
    "project": _l("project"),
    "purpose": _l("purpose"),
    "source": _l("source"),
    "organisation": _l("organisation"),
    "fiscal_year": _l("fiscal_year"),
    "account": _l("account"),
    "memo": _l("memo"),
    "amount": _l("amount"),
    "arrived_on": _l("arrived_on"),
    "reference": _l("reference"),
    "date": _l("date"),
    "key": _l("key"),
    "voucher": _l("voucher"),
    "description": _l("description"),
    # Funding sources (资金来源).
    "source:city": _l("city treasury"),
    "source:district": _l("district treasury"),
    "source:other": _l("other sources"),
    # Roles of the workflow (the web roles' titles, and the timer).
    **{name: role.title for name, role in ROLES.items()},
    "system": _l("system (automatic)"),
    # The four deliberations (四议), by meeting kind.
    "proposal": _l("proposal by the party organisation"),
    "joint": _l("discussion by the two committees"),
    "party_members": _l("review by the party members' meeting"),
    "representatives": _l("resolution of the residents' representatives' meeting"),
    # Majority bases of a vote.
    "base_name:due": _l("members due to attend"),
    "base_name:present": _l("members present"),
    # Notice kinds (两公开).
    "resolution": _l("resolution"),
    "results": _l("implementation results"),
    # Evidence kinds (佐证材料).
    "minutes": _l("minutes"),
    "attendance": _l("attendance sheet"),
    "photo": _l("photos"),
    "notice": _l("public notice"),
    "completion_report": _l("completion report"),
    "acceptance_record": _l("acceptance record"),
    "invoice": _l("invoice"),
    "contract": _l("contract"),
    "survey": _l("satisfaction survey"),
    "other": _l("other"),
    # File types of evidence that need a title.
    "type:text": _l("plain text"),
    # Project types (项目类型).
    "works": _l("works"),
    "activities": _l("activities"),
    "convenience": _l("convenience services"),
    "volunteer": _l("volunteer and public-interest services"),
    "care": _l("care and assistance"),
    "emergency": _l("emergency project"),
    "type:other": _l("other services"),
    # Channels a need comes from (需求来源).
    "hotline_12345": _l("12345 hotline"),
    "visit": _l("door-to-door visit"),
    "suggestion_box": _l("suggestion box"),
    "wechat": _l("WeChat group"),
    "meeting": _l("meeting"),
    "online": _l("submitted online by a resident"),
    # Actions (events) of the built-in processes.
    "event:draft": _l("draft the project"),
    "event:deliberate": _l("submit for deliberation"),
    "event:publish_resolution": _l("publish the resolution"),
    "event:submit_for_review": _l("submit to the street office for review"),
    "event:approve": _l("approve and file"),
    "event:return_for_revision": _l("return for revision"),
    "event:reject": _l("reject the project"),
    "event:fast_approve": _l("emergency approval"),
    "event:complete": _l("complete the implementation"),
    "event:accept": _l("accept after inspection"),
    "event:close": _l("close the project"),
    "event:publish_results": _l("publish the results"),
}

#: The message params that carry such codes (or lists of them, joined by ", "); every other
#: param (a user name, a code or text someone typed) is shown as it is.
ENUM_PARAMS = frozenset({
    "level", "new_level", "parent_level", "expected",  # organisation levels
    "basis", "category", "side", "dimension", "source", "column", "missing", "required", "allowed",
    "status", "state", "action", "event", "role", "roles", "kind", "type", "channel", "base_name",
})


def term(param: str, value: str):
    """The title of ``value`` as ``param`` of a message, or ``None`` when it has none."""
    return TERMS.get(f"{param}:{value}", TERMS.get(value))
