"""The state machine of a project (项目状态机), built at run time from its process definition.

Each step becomes a ``State``, each transition a ``State.to`` with validators (the role
check, the reason check and the definition's guards, each a named predicate raising a
``DomainError``) and ``before`` effects (notices, the ledger's budget). A listener writes
the project's event row after every transition. ``StateMachine`` is strict: an event
that has no transition from the current step raises, and ``fire`` turns that into a
``TransitionRefused`` saying what is possible instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.factory import StateMachineMetaclass

from ledger.base import CHINA, utcnow
from ledger.users import User

from .effects import EFFECTS
from .errors import N_, RoleRefused, TransitionRefused, WorkflowError
from .events import ProjectEvent
from .process import ProcessDefinition, Transition
from .projects import Project
from .rules import GUARDS


@dataclass
class Context:
    """Everything a guard, an effect and the recorder need to know about one event."""

    session: Session
    project: Project
    definition: ProcessDefinition
    transition_event: str
    actor: User | None
    role: str
    reason: str = ""
    amount: Decimal | int | str | None = None
    by_source: dict | None = None
    evidence_ids: list[int] = field(default_factory=list)
    now: dt.datetime = field(default_factory=utcnow)
    details: dict = field(default_factory=dict)
    recorded: ProjectEvent | None = None


def _named(name: str, function):
    function.__name__ = function.__qualname__ = name
    return function


def _role_check(t: Transition):
    def check(ctx: Context, **_):
        if ctx.role not in t.roles:
            raise RoleRefused(
                N_("Role %(role)s may not %(action)s; allowed: %(roles)s."),
                field="role", role=ctx.role, action=t.title, roles=", ".join(t.roles),
            )
        if ctx.actor is None and ctx.role != "system":
            raise RoleRefused(N_("Every step needs the person who takes it."), field="by")
    return _named(f"role_may_{t.event}", check)


def _reason_check(t: Transition):
    def check(ctx: Context, **_):
        if t.needs_reason and not ctx.reason.strip():
            raise WorkflowError(N_("Give the reason to %(action)s."), field="reason", action=t.title)
    return _named(f"reason_for_{t.event}", check)


def _guard(spec: str):
    name, _, arg = spec.partition(":")
    guard = GUARDS[name]
    return _named(spec.replace(":", "_"), lambda ctx, **_: guard(ctx, arg or None))


def _effect(spec: str):
    name, _, arg = spec.partition(":")
    effect = EFFECTS[name]
    return _named(spec.replace(":", "_"), lambda ctx, **_: effect(ctx, arg or None))


@lru_cache(maxsize=32)
def machine_class(definition: ProcessDefinition) -> type[StateMachine]:
    """The ``StateMachine`` subclass for ``definition`` (cached: definitions are frozen)."""
    reserved = [n for n in [s.id for s in definition.steps] + [t.event for t in definition.transitions]
                if hasattr(StateMachine, n)]
    if reserved:
        raise WorkflowError(
            N_("Process definition %(name)s uses reserved names: %(names)s."),
            field="definition", name=definition.name, names=", ".join(reserved),
        )
    states = {
        step.id: State(step.title, value=step.id, initial=index == 0, final=step.final)
        for index, step in enumerate(definition.steps)
    }
    events = {}
    for t in definition.transitions:
        transition = states[t.source].to(
            states[t.target], event=t.event,
            validators=[_role_check(t), _reason_check(t), *map(_guard, t.guards)],
            before=[_effect(e) for e in t.effects],
        )
        events[t.event] = events[t.event] | transition if t.event in events else transition
    name = "".join(part.title() for part in definition.name.split("_")) + f"V{definition.version}Machine"
    return StateMachineMetaclass(name, (StateMachine,), {**states, **events})


class Recorder:
    """The listener that writes the project's event row (流转记录) after each transition."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def after_transition(self, event, source, target, **_):
        ctx = self.ctx
        ctx.project.state_since = ctx.now
        ctx.recorded = ProjectEvent(
            project_id=ctx.project.id, actor_id=ctx.actor.id if ctx.actor else None, role=ctx.role,
            at=ctx.now, event=str(event), from_state=source.id, to_state=target.id,
            reason=ctx.reason.strip(), evidence_ids=list(ctx.evidence_ids), details=dict(ctx.details),
        )
        ctx.session.add(ctx.recorded)


def possible_events(project: Project) -> list[Transition]:
    """The transitions the project's current step offers (whether their guards hold or not)."""
    return project.definition.transitions_from(project.state)


def _done_already(session: Session, project: Project, event: str) -> None:
    """Refuse, naming who did it first, an ``event`` the project's last step change already was
    (two clerks pressing the same button at once, or a form sent again)."""
    last = session.scalars(select(ProjectEvent).where(ProjectEvent.project_id == project.id)
                           .order_by(ProjectEvent.id.desc()).limit(1)).first()
    if last is None or last.event != event:
        return
    actor = session.get(User, last.actor_id) if last.actor_id else None
    title = next((t.title for t in project.definition.transitions if t.event == event), event)
    raise TransitionRefused(
        N_("%(user)s already did this (%(event)s) at %(at)s; the project is now at step %(step)s."),
        field="event", user=actor.display_name if actor else "—", event=title,
        at=last.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"), step=project.step.title,
    )


def fire(
    session: Session, project: Project, event: str, *, by: User | None, role: str, reason: str = "",
    amount: Decimal | int | str | None = None, by_source: dict | None = None, evidence=(),
    now: dt.datetime | None = None,
) -> ProjectEvent:
    """Move ``project`` by ``event`` (流转) if the role, the reason and every guard allow it.

    ``by`` is the user acting in ``role``; the caller has checked that the user holds that
    role over the project's community (``None`` only for the ``system`` timer). ``amount``
    and ``by_source`` carry a street approval; ``evidence`` the files the step relies on.
    ``now`` is the timer's clock (``end_publicity``); interactive callers leave it out.
    Flushes, never commits; the returned event row is the project's new history entry.
    """
    session.scalars(  # one writer per project at a time (PostgreSQL row lock), its step re-read under it
        select(Project).where(Project.id == project.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    definition = project.definition
    if event not in {t.event for t in definition.transitions}:
        raise TransitionRefused(
            N_("%(event)s is not an action of process %(process)s."), field="event",
            event=event, process=definition.title,
        )
    evidence_ids = [e.id for e in evidence]
    if any(e.project_id != project.id for e in evidence):
        raise WorkflowError(N_("Evidence belongs to another project."), field="evidence")
    ctx = Context(session, project, definition, event, by, role, reason or "", amount, by_source,
                  evidence_ids, now or utcnow())
    machine = machine_class(definition)(model=project, state_field="state", listeners=[Recorder(ctx)])
    try:
        machine.send(event, ctx=ctx)
    except TransitionNotAllowed:
        _done_already(session, project, event)
        allowed = [t.title for t in possible_events(project)]
        raise TransitionRefused(
            N_("Cannot %(event)s at step %(step)s; possible now: %(allowed)s."), field="event",
            event=event, step=project.step.title, allowed=", ".join(allowed) or "-",
        ) from None
    session.flush()
    return ctx.recorded


def approve(session: Session, project: Project, amount, by: User, by_source: dict | None = None,
            reason: str = "") -> ProjectEvent:
    """The street approves and files the project (审核备案) with ``amount``, possibly less than asked."""
    return fire(session, project, "approve", by=by, role="street_committee", amount=amount,
                by_source=by_source, reason=reason)


def return_for_revision(session: Session, project: Project, by: User, reason: str) -> ProjectEvent:
    """The street returns the project to drafting (退回修改); its history stays."""
    return fire(session, project, "return_for_revision", by=by, role="street_committee", reason=reason)


def reject(session: Session, project: Project, by: User, reason: str) -> ProjectEvent:
    """The street rejects the project for good (不予通过)."""
    return fire(session, project, "reject", by=by, role="street_committee", reason=reason)
