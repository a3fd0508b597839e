"""The process a project follows, as data (项目流程定义): steps, transitions, roles, rules.

A city configures its own variant (the Beijing six steps, the default eight) by writing
a ``ProcessDefinition``, never by changing code: ``machine.py`` builds the state machine
from it at run time. Guards and effects are named here and implemented in ``rules.py``
and ``effects.py``; a definition naming an unknown one is refused when it is saved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .errors import N_, WorkflowError

#: Who may act. ``system`` is the timer (a publicity period that ended), never a person.
ROLES = ("community_staff", "street_committee", "street_finance", "system")

#: The four deliberations (四议), in the order they must be held.
PROPOSAL, JOINT, PARTY_MEMBERS, REPRESENTATIVES = "proposal", "joint", "party_members", "representatives"

#: Notice kinds: the resolution (决议公开) and the implementation result (实施结果公开).
RESOLUTION, RESULTS = "resolution", "results"

#: Guards a transition may name; ``name:argument`` passes an argument (a notice or evidence kind).
GUARDS = (
    "needs_linked", "budget_estimated", "deliberations", "notice_over", "no_open_objections",
    "approved_amount", "emergency", "emergency_followed_up", "evidence", "satisfaction",
)
EFFECTS = ("open_notice", "open_budget", "open_spending", "close_budget", "emergency_follow_up")


@dataclass(frozen=True)
class MeetingRule:
    """How one kind of meeting decides: quorum (share of those due) and majority base."""

    kind: str
    title: str
    #: ``(2, 3)``: at least two thirds of those due must be present; ``None``: no quorum.
    quorum: tuple[int, int] | None = None
    #: More than half of ``"due"`` or of ``"present"`` must vote for.
    majority_of: str = "present"


@dataclass(frozen=True)
class Step:
    """One step (state) of the process; ``number`` is its place in the method (0: an end)."""

    id: str
    title: str
    number: int
    final: bool = False
    meetings: tuple[str, ...] = ()
    notice: str | None = None
    spending: bool = False
    survey: bool = False
    max_days: int | None = None


@dataclass(frozen=True)
class Transition:
    """An event moving a project from ``source`` to ``target``, who may fire it and when."""

    event: str
    source: str
    target: str
    title: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    needs_reason: bool = False
    #: Fired by the timer once the step's publicity period has ended.
    auto: bool = False


@dataclass(frozen=True)
class ProcessDefinition:
    """A whole process: steps in order (the first is where projects start) and transitions."""

    name: str
    title: str
    steps: tuple[Step, ...]
    transitions: tuple[Transition, ...]
    meeting_rules: tuple[MeetingRule, ...]
    publicity_days: int = 7
    emergency_follow_up_days: int = 30
    #: With 一肩挑 these two deliberations may be one meeting.
    mergeable: tuple[str, str] | None = (PROPOSAL, JOINT)
    version: int = 0  # set when stored

    @property
    def initial(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def deliberations(self) -> tuple[str, ...]:
        """The meeting kinds a project must pass, in the order they must be held."""
        return tuple(kind for step in self.steps for kind in step.meetings)

    @property
    def notices(self) -> tuple[str, ...]:
        return tuple(step.notice for step in self.steps if step.notice)

    def rule(self, kind: str) -> MeetingRule:
        return next(r for r in self.meeting_rules if r.kind == kind)

    def transitions_from(self, step_id: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == step_id]

    def to_dict(self) -> dict:
        body = asdict(self)
        body.pop("version")
        return body

    @classmethod
    def from_dict(cls, body: dict, version: int = 0) -> ProcessDefinition:
        """Rebuild a definition from its JSON form (lists become tuples again)."""
        def build(kind, raw):
            names = {f.name for f in fields(kind)}
            return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in names})

        return cls(
            name=body["name"], title=body["title"],
            steps=tuple(build(Step, s) for s in body["steps"]),
            transitions=tuple(build(Transition, t) for t in body["transitions"]),
            meeting_rules=tuple(build(MeetingRule, r) for r in body["meeting_rules"]),
            publicity_days=body.get("publicity_days", 7),
            emergency_follow_up_days=body.get("emergency_follow_up_days", 30),
            mergeable=tuple(body["mergeable"]) if body.get("mergeable") else None,
            version=version,
        )

    def validate(self) -> None:
        """Refuse a definition whose transitions, roles, guards or rules do not add up."""
        ids = [s.id for s in self.steps]
        problems = []
        if len(set(ids)) != len(ids):
            problems.append("step ids repeat")
        if self.publicity_days < 1 or self.emergency_follow_up_days < 1:
            problems.append("publicity and follow-up periods must be at least one day")
        kinds = {r.kind for r in self.meeting_rules}
        for step in self.steps:
            problems += [f"step {step.id}: no rule for meeting {k}" for k in step.meetings if k not in kinds]
        for rule in self.meeting_rules:
            if rule.majority_of not in ("due", "present"):
                problems.append(f"meeting {rule.kind}: majority_of must be due or present")
        for t in self.transitions:
            where = f"transition {t.event} {t.source}->{t.target}"
            if t.source not in ids or t.target not in ids:
                problems.append(f"{where}: unknown step")
            problems += [f"{where}: unknown role {r}" for r in t.roles if r not in ROLES]
            problems += [f"{where}: unknown guard {g}" for g in t.guards if g.split(":")[0] not in GUARDS]
            problems += [f"{where}: unknown effect {e}" for e in t.effects if e.split(":")[0] not in EFFECTS]
            if t.source in ids and self.step(t.source).final:
                problems.append(f"{where}: leaves a final step")
        if problems:
            raise WorkflowError(
                N_("Process definition %(name)s is not valid: %(problems)s."),
                field="definition", name=self.name, problems="; ".join(problems),
            )


MEETING_RULES = (
    MeetingRule(PROPOSAL, "党组织提议"),
    MeetingRule(JOINT, "两委会商议"),
    MeetingRule(PARTY_MEMBERS, "党员大会审议", quorum=(2, 3), majority_of="due"),
    MeetingRule(REPRESENTATIVES, "居民代表会议决议"),
)

STAFF, STREET, FINANCE, SYSTEM = ROLES


def _emergency(source_ids: tuple[str, ...], target: str) -> list[Transition]:
    """The street's fast approval (应急): implementation first, the record within N days."""
    return [
        Transition("fast_approve", s, target, "应急审批", (STREET,),
                   guards=("emergency", "budget_estimated", "approved_amount"),
                   effects=("open_budget", "open_spending", "emergency_follow_up"), needs_reason=True)
        for s in source_ids
    ]


#: 八步工作法 with 四议两公开: the default process.
EIGHT_STEPS = ProcessDefinition(
    name="eight_steps", title="八步工作法（四议两公开）",
    steps=(
        Step("needs", "需求征集", 1),
        Step("drafting", "项目拟定", 2, max_days=60),
        Step("deliberation", "四议", 3, meetings=(PROPOSAL, JOINT, PARTY_MEMBERS, REPRESENTATIVES), max_days=60),
        Step("publicity", "决议公开", 4, notice=RESOLUTION),
        Step("review", "审核备案", 5, max_days=30),
        Step("implementation", "组织实施", 6, spending=True, max_days=180),
        Step("acceptance", "验收评价", 7, spending=True, survey=True, max_days=60),
        Step("results", "实施结果公开", 8, notice=RESULTS, survey=True),
        Step("closed", "已办结", 0, final=True),
        Step("rejected", "未通过", 0, final=True),
    ),
    transitions=(
        Transition("draft", "needs", "drafting", "拟定项目", (STAFF,), guards=("needs_linked",)),
        Transition("deliberate", "drafting", "deliberation", "提交四议", (STAFF,), guards=("budget_estimated",)),
        Transition("publish_resolution", "deliberation", "publicity", "决议公开", (STAFF,),
                   guards=("deliberations",), effects=(f"open_notice:{RESOLUTION}",)),
        Transition("submit_for_review", "publicity", "review", "报街道审核", (STAFF, SYSTEM),
                   guards=(f"notice_over:{RESOLUTION}", "no_open_objections"), auto=True),
        Transition("approve", "review", "implementation", "审核通过并备案", (STREET,),
                   guards=("approved_amount",), effects=("open_budget", "open_spending")),
        Transition("return_for_revision", "review", "drafting", "退回修改", (STREET,), needs_reason=True),
        Transition("reject", "review", "rejected", "不予通过", (STREET,), needs_reason=True),
        *_emergency(("needs", "drafting"), "implementation"),
        Transition("complete", "implementation", "acceptance", "实施完成", (STAFF,),
                   guards=("emergency_followed_up",)),
        Transition("accept", "acceptance", "results", "验收通过", (STREET, STAFF),
                   guards=("evidence:completion_report", "satisfaction", "emergency_followed_up"),
                   effects=(f"open_notice:{RESULTS}",)),
        Transition("close", "results", "closed", "结果公开期满，办结", (STAFF, SYSTEM),
                   guards=(f"notice_over:{RESULTS}", "no_open_objections"), effects=("close_budget",),
                   auto=True),
    ),
    meeting_rules=MEETING_RULES,
)

#: The Beijing street's six steps: 征集意见 → 制定计划 → 党员审议 → 街道审批 → 组织实施 → 结果公示.
BEIJING_SIX_STEPS = ProcessDefinition(
    name="beijing_six_steps", title="六步工作法（北京）",
    steps=(
        Step("collect", "征集意见", 1),
        Step("plan", "制定计划", 2, max_days=60),
        Step("party_review", "党员审议", 3, meetings=(PARTY_MEMBERS,), max_days=60),
        Step("street_approval", "街道审批", 4, max_days=30),
        Step("implement", "组织实施", 5, spending=True, survey=True, max_days=180),
        Step("results", "结果公示", 6, notice=RESULTS, survey=True),
        Step("closed", "已办结", 0, final=True),
        Step("rejected", "未通过", 0, final=True),
    ),
    transitions=(
        Transition("draft", "collect", "plan", "制定计划", (STAFF,), guards=("needs_linked",)),
        Transition("deliberate", "plan", "party_review", "提交党员审议", (STAFF,), guards=("budget_estimated",)),
        Transition("submit_for_review", "party_review", "street_approval", "报街道审批", (STAFF,),
                   guards=("deliberations",)),
        Transition("approve", "street_approval", "implement", "街道审批通过", (STREET,),
                   guards=("approved_amount",), effects=("open_budget", "open_spending")),
        Transition("return_for_revision", "street_approval", "plan", "退回修改", (STREET,), needs_reason=True),
        Transition("reject", "street_approval", "rejected", "不予通过", (STREET,), needs_reason=True),
        *_emergency(("collect", "plan"), "implement"),
        Transition("publish_results", "implement", "results", "结果公示", (STAFF, STREET),
                   guards=("evidence:completion_report", "satisfaction", "emergency_followed_up"),
                   effects=(f"open_notice:{RESULTS}",)),
        Transition("close", "results", "closed", "公示期满，办结", (STAFF, SYSTEM),
                   guards=(f"notice_over:{RESULTS}", "no_open_objections"), effects=("close_budget",),
                   auto=True),
    ),
    meeting_rules=MEETING_RULES,
    mergeable=None,
)

BUILT_IN = {d.name: d for d in (EIGHT_STEPS, BEIJING_SIX_STEPS)}
