"""Scoring a performance evaluation (绩效评价): indicators, rules, rounding and grades.

Pure functions over plain values, so a district's self-evaluation table can be scored
from a spreadsheet, from the books, or from a test. The rules are those evaluators
publish:

* a quantitative indicator scores ``weight × min(actual / target, 1)``;
* a target stated as "≥ x" (or "≤ x") that is met scores the full weight;
* a qualitative indicator scores the full weight when the actual is the target wording
  (合理/健全/合规/有效/可控/提高/提升 ...), otherwise what the evaluator enters;
* each score is rounded by the scheme (published tables truncate: 0.5993 → 0.59);
* the total is graded 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差 (some cities call 中 "可").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .errors import DomainError, N_

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class ScoringError(DomainError):
    """An indicator that cannot be scored as given."""


@dataclass(frozen=True)
class Measure:
    """A target or actual value as written: ``≥95%``, ``280人``, ``全年预算数 30000 元``, ``合理``."""

    text: str
    op: str | None  # one of ≥ ≤ > < = or None
    value: Decimal | None  # a percent is kept as a fraction: 95% → 0.95
    unit: str

    @property
    def quantitative(self) -> bool:
        return self.value is not None


_OPS = {"≥": "≥", ">=": "≥", "≤": "≤", "<=": "≤", ">": ">", "<": "<", "=": "=", "＝": "="}
_MEASURE = re.compile(
    r"^(?P<label>[^\d≥≤<>=＝-]*?)\s*(?P<op>≥|>=|≤|<=|>|<|=|＝)?\s*"
    r"(?P<number>-?\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>%|％|[^\d\s]*)\s*$"
)
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def parse_measure(text: str) -> Measure:
    """Read a target or actual cell; a number with an optional comparator and unit, or words."""
    text = (text or "").strip()
    match = _MEASURE.match(text)
    if match is None or _DATE.search(text):
        return Measure(text, None, None, "")
    number = Decimal(match["number"].replace(",", "").replace("，", ""))
    unit = match["unit"]
    if unit in ("%", "％"):
        number, unit = number / HUNDRED, "%"
    return Measure(text, _OPS.get(match["op"]) if match["op"] else None, number, unit)


@dataclass(frozen=True)
class Indicator:
    """One row of an indicator tree (一级/二级/三级指标) with its target, actual and weight."""

    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    weight: Decimal
    #: The evaluator's score, for a qualitative indicator whose actual is not the target.
    evaluator_score: Decimal | None = None
    #: Why the indicator fell short (偏差原因), required when it does.
    shortfall_reason: str = ""


@dataclass(frozen=True)
class Scheme:
    """How a table is scored: the rounding rule and the grade bands."""

    rounding: str = "truncate"  # or "half_up"
    decimals: int = 2
    bands: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (ZERO, "差"),
    )

    def round(self, value: Decimal) -> Decimal:
        """Round a score (or a rate) the way this scheme's published tables do."""
        if self.rounding not in ("truncate", "half_up"):
            raise ScoringError(N_("Rounding %(rule)r is unknown: use truncate or half_up."), field="rounding", rule=self.rounding)
        exponent = Decimal(1).scaleb(-self.decimals)
        return value.quantize(exponent, rounding=ROUND_DOWN if self.rounding == "truncate" else ROUND_HALF_UP)

    def grade(self, total: Decimal) -> str:
        for floor, name in self.bands:
            if total >= floor:
                return name
        return self.bands[-1][1]

    def with_middle_band(self, name: str) -> Scheme:
        """The same scheme calling the 60–80 band ``name`` (some cities say 可)."""
        return replace(self, bands=tuple((f, name if f == Decimal(60) else n) for f, n in self.bands))


@dataclass(frozen=True)
class Score:
    indicator: Indicator
    score: Decimal
    met: bool
    rule: str  # which rule gave the score, for the report


@dataclass
class Evaluation:
    scores: list[Score] = field(default_factory=list)
    total: Decimal = ZERO
    grade: str = ""
    weight_total: Decimal = ZERO


def _ratio_score(weight: Decimal, actual: Decimal, target: Decimal, lower_is_better: bool) -> Decimal:
    if target == 0 or actual == 0:
        return weight if (actual == target) else (weight if lower_is_better and actual == 0 else ZERO)
    ratio = target / actual if lower_is_better else actual / target
    return weight * min(ratio, Decimal(1))


def score_indicator(indicator: Indicator, scheme: Scheme = Scheme()) -> Score:
    """Score one indicator by the published rules (see the module docstring)."""
    weight = indicator.weight
    if weight < 0:
        raise ScoringError(N_("Weight %(weight)s is negative."), field="weight", weight=weight)
    target, actual = parse_measure(indicator.target), parse_measure(indicator.actual)

    if target.text and target.text == actual.text:
        return Score(indicator, scheme.round(weight), True, "matches target")
    if target.quantitative and actual.quantitative:
        if target.unit and actual.unit and target.unit != actual.unit:
            raise ScoringError(
                N_("Indicator %(name)s: the actual is in %(actual)s but the target in %(target)s."),
                field="actual", name=indicator.level3, actual=actual.unit, target=target.unit,
            )
        lower = target.op in ("≤", "<")
        met = actual.value <= target.value if lower else actual.value >= target.value
        if target.op in ("≥", ">", "≤", "<") and met:
            return Score(indicator, scheme.round(weight), True, "target met")
        raw = _ratio_score(weight, actual.value, target.value, lower)
        return Score(indicator, scheme.round(raw), raw >= weight, "actual / target")
    if indicator.evaluator_score is None:
        raise ScoringError(
            N_("Indicator %(name)s: the actual %(actual)r does not match the target %(target)r; enter the evaluator's score."),
            field="evaluator_score", name=indicator.level3, actual=actual.text, target=target.text,
        )
    if not ZERO <= indicator.evaluator_score <= weight:
        raise ScoringError(
            N_("Indicator %(name)s: the evaluator's score %(score)s must be between 0 and the weight %(weight)s."),
            field="evaluator_score", name=indicator.level3, score=indicator.evaluator_score, weight=weight,
        )
    return Score(indicator, scheme.round(indicator.evaluator_score), indicator.evaluator_score == weight, "evaluator")


def evaluate(indicators: list[Indicator], scheme: Scheme = Scheme()) -> Evaluation:
    """Score every indicator, add the rounded scores and grade the total."""
    result = Evaluation()
    for indicator in indicators:
        result.scores.append(score_indicator(indicator, scheme))
    result.total = sum((s.score for s in result.scores), ZERO)
    result.weight_total = sum((i.weight for i in indicators), ZERO)
    result.grade = scheme.grade(result.total)
    return result


SELF_EVALUATION_COLUMNS = ("level1", "level2", "level3", "target", "actual", "weight")


def read_self_evaluation_csv(text: str) -> list[Indicator]:
    """Read a self-evaluation table (绩效自评表) with the columns of the published CSV."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in SELF_EVALUATION_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ScoringError(N_("Missing columns: %(missing)s."), missing=", ".join(missing))
    indicators = []
    for line, row in enumerate(reader, start=2):
        try:
            weight = Decimal(row["weight"].strip())
        except Exception:
            raise ScoringError(N_("Line %(line)d: weight %(weight)r is not a number."), field="weight",
                               line=line, weight=row["weight"]) from None
        indicators.append(Indicator(
            row["level1"].strip(), row["level2"].strip(), row["level3"].strip(),
            row["target"].strip(), row["actual"].strip(), weight,
        ))
    return indicators
