"""Performance evaluations (绩效评价) kept in the database: templates, evaluations, indicators.

A district keeps indicator trees (一级/二级/三级指标 with targets and weights) as templates
for a community project, a street's whole fund or a district programme; editing one
stores a new version. An evaluation copies its template's indicators; those the system
knows are filled from the books and the projects (``SOURCES``), the others are entered
with their evidence, and ``ledger.scoring`` scores the lot with the template's rounding
rule and grade bands.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.organisations import Organisation
from ledger.reports.common import Rounding
from ledger.reports.execution import execution_by_organisation, execution_by_project
from ledger.scoring import Evaluation as Scored
from ledger.scoring import Indicator, Scheme, ScoringError, evaluate, score_indicator
from ledger.users import User

from .errors import N_, WorkflowError
from .figures import project_figures
from .projects import Project

SUBJECTS = ("project", "street_fund", "district_programme")
MANUAL = "manual"
DRAFT, FINAL = "draft", "final"


class EvaluationTemplate(Base):
    """An indicator tree a district evaluates with (评价指标体系), one row per version."""

    __tablename__ = "evaluation_templates"
    __table_args__ = (
        CheckConstraint("subject IN ('project', 'street_fund', 'district_programme')", name="subject_known"),
        CheckConstraint("rounding IN ('truncate', 'half_up')", name="rounding_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    #: ``[{"level1", "level2", "level3", "target", "weight", "source"}]``
    indicators: Mapped[list] = mapped_column(JSON)
    rounding: Mapped[str] = mapped_column(String(16), default="truncate")
    decimals: Mapped[int] = mapped_column(default=2)
    middle_band: Mapped[str] = mapped_column(String(8), default="中")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    district: Mapped[Organisation] = relationship()

    @property
    def scheme(self) -> Scheme:
        return Scheme(self.rounding, self.decimals).with_middle_band(self.middle_band)


class Evaluation(Base):
    """One evaluation of a project, a street's fund or a district programme for a year."""

    __tablename__ = "evaluations"
    __table_args__ = (CheckConstraint("status IN ('draft', 'final')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("evaluation_templates.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    fiscal_year: Mapped[int]
    status: Mapped[str] = mapped_column(String(8), default=DRAFT)
    total: Mapped[Decimal | None]
    grade: Mapped[str | None] = mapped_column(String(8))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[dt.datetime | None]

    template: Mapped[EvaluationTemplate] = relationship()
    organisation: Mapped[Organisation] = relationship()
    project: Mapped[Project | None] = relationship()
    items: Mapped[list[EvaluationItem]] = relationship(
        back_populates="evaluation", order_by="EvaluationItem.position", cascade="all, delete-orphan")


class EvaluationItem(Base):
    """One indicator of an evaluation with its actual value, score and shortfall reason."""

    __tablename__ = "evaluation_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    position: Mapped[int]
    level1: Mapped[str] = mapped_column(String(50))
    level2: Mapped[str] = mapped_column(String(50))
    level3: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(100))
    actual: Mapped[str] = mapped_column(String(100), default="")
    weight: Mapped[Decimal]
    source: Mapped[str] = mapped_column(String(32), default=MANUAL)
    evaluator_score: Mapped[Decimal | None]
    score: Mapped[Decimal | None]
    shortfall_reason: Mapped[str] = mapped_column(Text, default="")
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None]

    evaluation: Mapped[Evaluation] = relationship(back_populates="items")

    def as_indicator(self) -> Indicator:
        return Indicator(self.level1, self.level2, self.level3, self.target, self.actual,
                         self.weight, self.evaluator_score, self.shortfall_reason)


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def _fund_figures(session: Session, evaluation: Evaluation) -> dict[str, tuple[str, str | None]]:
    """``{source: (actual, target or None)}`` computed for a fund or a project."""
    org, year = evaluation.organisation, evaluation.fiscal_year
    if evaluation.project is not None:
        frame = execution_by_project(session, org, year, rounding=Rounding("truncate", 2))
        row = frame[frame["project"] == evaluation.project.code]
    else:
        frame = execution_by_organisation(session, org, year, level=org.level, rounding=Rounding("truncate", 2))
        row = frame[frame["organisation"] == org.code]
    if row.empty:
        return {}
    row = row.iloc[0]
    budget = row.get("allocated", row.get("approved"))
    figures = {
        "budget_execution_amount": (f"预算执行数 {row['spent']} 元", f"全年预算数 {budget} 元"),
        "budget_execution_rate": (_pct(row["execution_rate"]), "100%"),
    }
    if "arrival_rate" in row:
        figures["funds_arrived_rate"] = (_pct(row["arrival_rate"]), "100%")
    return figures


def _project_figures(session: Session, evaluation: Evaluation) -> dict[str, tuple[str, str | None]]:
    if evaluation.project is not None:
        from .satisfaction import satisfaction_of

        return {"satisfaction": (_pct(satisfaction_of(session, evaluation.project).percent), None)}
    figures = project_figures(session, evaluation.organisation, evaluation.fiscal_year)
    return {
        "communities_served": (f"{figures.communities_served}个", None),
        "projects_completed": (f"{figures.completed}个", None),
        "emergency_projects": (f"{figures.emergency}个", None),
        "satisfaction": (_pct(figures.satisfaction_percent), None),
        "publicity_on_time": (_pct(figures.publicity_on_time_percent), "100%"),
    }


#: The indicators the system fills itself, and where each comes from.
SOURCES = {
    "budget_execution_amount": "spent against the year's budget, in CNY (books)",
    "budget_execution_rate": "spent / budget (books)",
    "funds_arrived_rate": "money arrived / budget (books)",
    "communities_served": "communities with a project past drafting (projects)",
    "projects_completed": "non-emergency projects closed (projects)",
    "emergency_projects": "emergency projects reported (projects)",
    "satisfaction": "households satisfied (rating 4 or 5) / households rating (survey)",
    "publicity_on_time": "approved projects whose resolution publicity ended before approval (notices)",
}


def save_template(
    session: Session, district: Organisation, name: str, subject: str, indicators: list[dict], by: User,
    rounding: str = "truncate", decimals: int = 2, middle_band: str = "中",
) -> EvaluationTemplate:
    """Store a template (a new version when the district already has one of that name)."""
    if district.level != "district":
        raise WorkflowError(N_("Evaluation templates belong to a district, not a %(level)s."),
                            field="district", level=district.level)
    if subject not in SUBJECTS:
        raise WorkflowError(N_("Subject %(subject)r is unknown."), field="subject", subject=subject)
    Scheme(rounding, decimals).round(Decimal(0))  # refuses an unknown rounding rule
    clean = [_check_indicator(i, n) for n, i in enumerate(indicators, start=1)]
    total = sum((i["weight"] for i in clean), Decimal(0))
    if total != 100:
        raise WorkflowError(N_("The weights add up to %(total)s; they must add up to 100."),
                            field="indicators", total=total)
    version = (session.scalar(select(func.max(EvaluationTemplate.version)).where(
        EvaluationTemplate.district_id == district.id, EvaluationTemplate.name == name)) or 0) + 1
    template = EvaluationTemplate(
        district_id=district.id, name=name, subject=subject, version=version, rounding=rounding,
        decimals=decimals, middle_band=middle_band, created_by_id=by.id,
        indicators=[{**i, "weight": str(i["weight"])} for i in clean],
    )
    session.add(template)
    session.flush()
    return template


def _check_indicator(indicator: dict, line: int) -> dict:
    names = ("level1", "level2", "level3", "target")
    values = {k: str(indicator.get(k, "")).strip() for k in names}
    if not all(values[k] for k in ("level1", "level2", "level3")):
        raise WorkflowError(N_("Indicator %(line)d needs all three levels."), field="indicators", line=line)
    try:
        weight = Decimal(str(indicator.get("weight", "")))
    except Exception:
        weight = None
    if weight is None or not weight.is_finite() or weight <= 0:
        raise WorkflowError(N_("Indicator %(line)d: the weight must be a positive number."), field="indicators", line=line)
    source = indicator.get("source") or MANUAL
    if source != MANUAL and source not in SOURCES:
        raise WorkflowError(N_("Indicator %(line)d: source %(source)r is unknown."), field="indicators",
                            line=line, source=source)
    return {**values, "weight": weight, "source": source}


def start_evaluation(
    session: Session, template: EvaluationTemplate, organisation: Organisation, year: int, by: User,
    project: Project | None = None,
) -> Evaluation:
    """An evaluation of ``organisation`` (or ``project``) for ``year`` from ``template``, filled and scored."""
    if (template.subject == "project") != (project is not None):
        raise WorkflowError(N_("A %(subject)s template evaluates a %(subject)s."), field="template",
                            subject=template.subject)
    evaluation = Evaluation(template=template, organisation=organisation, project=project,
                            fiscal_year=year, created_by_id=by.id)
    for position, row in enumerate(template.indicators, start=1):
        evaluation.items.append(EvaluationItem(
            position=position, level1=row["level1"], level2=row["level2"], level3=row["level3"],
            target=row["target"], weight=Decimal(row["weight"]), source=row.get("source", MANUAL)))
    session.add(evaluation)
    refresh(session, evaluation)
    return evaluation


def refresh(session: Session, evaluation: Evaluation) -> Scored | None:
    """Fill the computed indicators again and rescore (a draft only)."""
    if evaluation.status == FINAL:
        raise WorkflowError(N_("This evaluation is final and can no longer change."))
    figures = {**_fund_figures(session, evaluation), **_project_figures(session, evaluation)}
    for item in evaluation.items:
        if item.source in figures:
            actual, target = figures[item.source]
            item.actual = actual
            if target and not item.target:
                item.target = target
    session.flush()
    return rescore(evaluation)


def enter_item(session: Session, item: EvaluationItem, by: User, actual: str | None = None,
               evaluator_score: Decimal | None = None, shortfall_reason: str | None = None,
               evidence_note: str | None = None) -> None:
    """The evaluator's entry for one indicator; a computed actual cannot be overwritten."""
    if item.evaluation.status == FINAL:
        raise WorkflowError(N_("This evaluation is final and can no longer change."))
    if actual is not None:
        if item.source != MANUAL:
            raise WorkflowError(N_("%(name)s is computed from the records and cannot be typed in."),
                                field="actual", name=item.level3)
        item.actual = actual.strip()
    if evaluator_score is not None:
        item.evaluator_score = evaluator_score
    if shortfall_reason is not None:
        item.shortfall_reason = shortfall_reason.strip()
    if evidence_note is not None:
        item.evidence_note = evidence_note.strip()
    item.updated_by_id, item.updated_at = by.id, utcnow()
    session.flush()
    rescore(item.evaluation)


def rescore(evaluation: Evaluation) -> Scored | None:
    """Score every indicator that can be scored; the total only when all can."""
    scheme = evaluation.template.scheme
    complete = True
    for item in evaluation.items:
        try:
            item.score = score_indicator(item.as_indicator(), scheme).score if item.actual else None
        except ScoringError:
            item.score = None
        complete = complete and item.score is not None
    if not complete:
        evaluation.total = evaluation.grade = None
        return None
    scored = evaluate([i.as_indicator() for i in evaluation.items], scheme)
    evaluation.total, evaluation.grade = scored.total, scored.grade
    return scored


def finalise(session: Session, evaluation: Evaluation, by: User) -> None:
    """Close the evaluation: every indicator scored, every shortfall explained (偏差原因)."""
    scored = rescore(evaluation)
    if scored is None:
        missing = [i.level3 for i in evaluation.items if i.score is None]
        raise WorkflowError(N_("These indicators have no score yet: %(names)s."), names="、".join(missing))
    unexplained = [s.indicator.level3 for s in scored.scores if not s.met and not s.indicator.shortfall_reason]
    if unexplained:
        raise WorkflowError(N_("Explain the shortfall of: %(names)s."), field="shortfall_reason",
                            names="、".join(unexplained))
    evaluation.status, evaluation.finalised_by_id, evaluation.finalised_at = FINAL, by.id, utcnow()
    session.flush()


def _row(level1, level2, level3, target, weight, source=MANUAL) -> dict:
    return {"level1": level1, "level2": level2, "level3": level3, "target": target,
            "weight": str(weight), "source": source}


#: Templates a district starts from, after the published self-evaluation tables.
DEFAULT_TEMPLATES = {
    ("社区服务群众经费（街道）", "street_fund"): [
        _row("资金执行", "年度资金", "预算执行率(预算执行数/全年预算数)", "", 10, "budget_execution_amount"),
        _row("投入和管理", "投入管理", "资金到位率", "100%", 5, "funds_arrived_rate"),
        _row("投入和管理", "投入管理", "预算编制合理性", "合理", 3),
        _row("投入和管理", "财务管理", "资金使用规范性", "合规", 4),
        _row("投入和管理", "财务管理", "财务管理制度健全性", "健全", 3),
        _row("投入和管理", "项目管理", "决议公开及时率", "100%", 5, "publicity_on_time"),
        _row("产出", "数量指标", "服务社区数", "≥1个", 15, "communities_served"),
        _row("产出", "数量指标", "完成项目数", "≥1个", 15, "projects_completed"),
        _row("产出", "时效指标", "项目完成及时性", "及时", 10),
        _row("效益", "社会效益", "居民急难愁盼问题解决情况", "提升", 20),
        _row("满意度", "服务对象满意度", "居民满意度", "≥95%", 10, "satisfaction"),
    ],
    ("社区项目", "project"): [
        _row("资金执行", "项目资金", "预算执行率(支出数/批复数)", "", 20, "budget_execution_amount"),
        _row("过程", "项目管理", "四议两公开程序完整性", "完整", 20),
        _row("产出", "质量指标", "验收合格", "合格", 20),
        _row("效益", "社会效益", "受益居民反映", "提升", 20),
        _row("满意度", "服务对象满意度", "居民满意度", "≥95%", 20, "satisfaction"),
    ],
}


def seed_default_templates(session: Session, district: Organisation, by: User) -> list[EvaluationTemplate]:
    """The district's first templates (only those it does not have yet)."""
    made = []
    for (name, subject), rows in DEFAULT_TEMPLATES.items():
        exists_ = session.scalar(select(EvaluationTemplate.id).where(
            EvaluationTemplate.district_id == district.id, EvaluationTemplate.name == name))
        if exists_ is None:
            made.append(save_template(session, district, name, subject, rows, by))
    return made


def evaluation_from_table(
    session: Session, indicators: list[Indicator], district: Organisation, organisation: Organisation,
    year: int, name: str, by: User, rounding: str = "truncate",
) -> Evaluation:
    """An evaluation from a filed self-evaluation table (绩效自评表), every actual as written."""
    rows = [_row(i.level1, i.level2, i.level3, i.target, i.weight) for i in indicators]
    template = save_template(session, district, name, "street_fund", rows, by, rounding=rounding)
    evaluation = start_evaluation(session, template, organisation, year, by)
    for item, indicator in zip(evaluation.items, indicators):
        item.actual = indicator.actual
    session.flush()
    rescore(evaluation)
    return evaluation
