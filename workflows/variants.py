"""A city's own process variants (流程定义) and a community's workflow settings, as the
administrator edits them.

Stored definitions have no city: a built-in process (``eight_steps``...) is shared by
every city and read-only here. A city's variant is named with the city's code as prefix
(``demo_eight_steps``), so one city's administrator never changes another city's
process. A variant is saved as a new version; a stored version is never edited, and a
project keeps the version it started with.
"""

from __future__ import annotations

import calendar
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.organisations import Organisation
from ledger.users import User

from .definitions import CommunitySettings, StoredDefinition, save_definition, settings_of
from .errors import N_, WorkflowError
from .process import BUILT_IN, ProcessDefinition

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: The fields each part of a definition needs, and the type each field must have.
_REQUIRED = {
    "step": {"id": str, "title": str, "number": int},
    "transition": {"event": str, "source": str, "target": str, "title": str, "roles": list},
    "meeting rule": {"kind": str, "title": str},
}
#: Optional fields and their types (``None`` allowed where the default is ``None``).
_OPTIONAL = {
    "step": {"final": bool, "meetings": list, "notice": (str, type(None)), "spending": bool,
             "survey": bool, "max_days": (int, type(None))},
    "transition": {"guards": list, "effects": list, "needs_reason": bool, "auto": bool},
    "meeting rule": {"quorum": (list, type(None)), "majority_of": str},
}
_TYPE_NAMES = {str: "text", int: "a whole number", list: "a list", bool: "true or false"}
_LISTS = ("steps", "transitions", "meeting_rules")


def city_prefix(city: Organisation) -> str:
    """The prefix of the names of a city's own process variants."""
    return re.sub(r"[^a-z0-9]+", "_", city.code.lower()).strip("_") + "_"


def belongs_to(name: str, city: Organisation) -> bool:
    """Whether the process ``name`` is the city's own variant."""
    return name.startswith(city_prefix(city))


def visible_names(session: Session, city: Organisation) -> list[str]:
    """The processes a city may use: the built-in ones and its own variants."""
    stored = session.scalars(select(StoredDefinition.name).distinct()).all()
    return sorted(set(BUILT_IN) | {n for n in stored if n in BUILT_IN or belongs_to(n, city)})


def _refuse(template: str, **params):
    raise WorkflowError(template, field="body", **params)


def _is(value, wanted) -> bool:
    """``isinstance`` where ``True`` is not a number (JSON keeps the two apart)."""
    wanted = wanted if isinstance(wanted, tuple) else (wanted,)
    if isinstance(value, bool):
        return bool in wanted
    return isinstance(value, wanted)


def _check_shape(body) -> None:
    """Refuse a JSON body that lacks a part or has a part of the wrong type."""
    if not isinstance(body, dict):
        _refuse(N_("The definition must be a JSON object with name, title, steps, transitions "
                   "and meeting_rules."))
    for key in ("name", "title"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            _refuse(N_("The definition needs a %(key)s (text)."), key=key)
    for key in _LISTS:
        if not isinstance(body.get(key), list):
            _refuse(N_("The definition needs %(key)s (a list)."), key=key)
    if not body["steps"]:
        _refuse(N_("The definition needs at least one step."))
    for key, kind in zip(_LISTS, _REQUIRED):
        for position, item in enumerate(body[key], start=1):
            if not isinstance(item, dict):
                _refuse(N_("Item %(position)s of %(key)s must be an object."), position=position, key=key)
            for name, wanted in _REQUIRED[kind].items():
                if not _is(item.get(name), wanted):
                    _refuse(N_("Item %(position)s of %(key)s needs %(part)s (%(type)s)."),
                            position=position, key=key, part=name, type=_TYPE_NAMES[wanted])
            for name, wanted in _OPTIONAL[kind].items():
                if name in item and not _is(item[name], wanted):
                    first = wanted[0] if isinstance(wanted, tuple) else wanted
                    _refuse(N_("Item %(position)s of %(key)s: %(part)s must be %(type)s."),
                            position=position, key=key, part=name, type=_TYPE_NAMES[first])
            for name in ("roles", "guards", "effects", "meetings", "quorum"):
                wanted = int if name == "quorum" else str
                values = item.get(name) or []
                if name in _REQUIRED[kind] | _OPTIONAL[kind] and not all(_is(v, wanted) for v in values):
                    _refuse(N_("Item %(position)s of %(key)s: every entry of %(part)s must be %(type)s."),
                            position=position, key=key, part=name, type=_TYPE_NAMES[wanted])
            if kind == "meeting rule" and item.get("quorum") is not None and (
                    len(item["quorum"]) != 2 or not 0 < item["quorum"][0] <= item["quorum"][1]):
                _refuse(N_("Item %(position)s of %(key)s: quorum must be [part, whole], like [2, 3]."),
                        position=position, key=key)
    for key in ("publicity_days", "emergency_follow_up_days"):
        if key in body and (not isinstance(body[key], int) or isinstance(body[key], bool)):
            _refuse(N_("%(key)s must be a whole number of days."), key=key)


def parse_definition(text: str) -> ProcessDefinition:
    """A ``ProcessDefinition`` from its JSON text, or a ``WorkflowError`` on field ``body``
    saying what is wrong (malformed JSON with its line, a missing part, a failed rule)."""
    try:
        body = json.loads(text or "")
    except json.JSONDecodeError as error:
        _refuse(N_("The text is not valid JSON: %(problem)s (line %(line)s, column %(column)s)."),
                problem=error.msg, line=error.lineno, column=error.colno)
    _check_shape(body)
    if not NAME.match(body["name"]):
        _refuse(N_("Name %(name)r must start with a lower-case letter and hold only a-z, 0-9 and _."),
                name=body["name"])
    try:
        definition = ProcessDefinition.from_dict(body)
    except (KeyError, TypeError, ValueError) as error:
        _refuse(N_("The definition cannot be read: %(problem)s."), problem=str(error))
    try:
        definition.validate()
    except WorkflowError as error:
        raise WorkflowError(error.template, field="body", **error.params) from None
    from .machine import machine_class  # the machine imports the projects, which import us

    try:
        machine_class(definition)
    except WorkflowError as error:
        raise WorkflowError(error.template, field="body", **error.params) from None
    except Exception as error:  # python-statemachine's own checks (unreachable steps...)
        _refuse(N_("The steps do not make a working process: %(problem)s."), problem=str(error))
    return definition


def save_variant(session: Session, city: Organisation, text: str, by: User | None) -> StoredDefinition:
    """Store the JSON ``text`` as the next version of one of the city's own processes."""
    definition = parse_definition(text)
    if not belongs_to(definition.name, city):
        _refuse(N_("Process %(name)s is not this city's own: save a variant under a name starting "
                   "with %(prefix)s."), name=definition.name, prefix=city_prefix(city))
    return save_definition(session, definition, by=by)


def update_settings(
    session: Session, community: Organisation, *, one_shoulder: bool, process_name: str,
    plan_due_month: int, plan_due_day: int,
) -> CommunitySettings:
    """Change a community's workflow settings (flushes); new projects follow the new process."""
    city = community.ancestor_at("city")
    if process_name not in visible_names(session, city):
        raise WorkflowError(N_("Process %(name)s is not available to this city."),
                            field="process_name", name=process_name)
    if not 1 <= plan_due_month <= 12:
        raise WorkflowError(N_("The month must be 1 to 12."), field="plan_due_month")
    last = calendar.monthrange(2023, plan_due_month)[1]  # a common year: the date exists every year
    if not 1 <= plan_due_day <= last:
        raise WorkflowError(N_("Month %(month)s has days 1 to %(last)s."), field="plan_due_day",
                            month=plan_due_month, last=last)
    settings = settings_of(session, community)
    settings.one_shoulder = bool(one_shoulder)
    settings.process_name = process_name
    settings.plan_due_month, settings.plan_due_day = plan_due_month, plan_due_day
    session.flush()
    return settings
