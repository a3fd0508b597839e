"""The scoring scheme reproduces the published 2021 self-evaluation table exactly."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.scoring import (
    Indicator, Scheme, ScoringError, evaluate, parse_measure, read_self_evaluation_csv, score_indicator,
)

ACCEPTANCE = Path(__file__).resolve().parents[2].parent / "shared" / "acceptance"
TABLE = ACCEPTANCE / "self_evaluation_2021.csv"


def test_the_2021_table_scores_every_published_score_and_95_58_excellent():
    text = TABLE.read_text(encoding="utf-8")
    published = [Decimal(row["published_score"]) for row in csv.DictReader(text.splitlines())]
    result = evaluate(read_self_evaluation_csv(text), Scheme(rounding="truncate", decimals=2))
    assert [s.score for s in result.scores] == published
    assert result.total == Decimal("95.58")
    assert result.grade == "优"
    assert result.weight_total == 100


def test_half_up_rounding_gives_the_other_published_total():
    result = evaluate(read_self_evaluation_csv(TABLE.read_text(encoding="utf-8")), Scheme(rounding="half_up"))
    assert result.scores[1].score == Decimal("0.60") and result.total == Decimal("95.59")


@pytest.mark.parametrize("text,op,value,unit", [
    ("≥60人", "≥", Decimal(60), "人"),
    ("59.93%", None, Decimal("0.5993"), "%"),
    ("全年预算数 30000 元", None, Decimal(30000), "元"),
    ("=100%", "=", Decimal(1), "%"),
    ("合理", None, None, ""),
    ("2021-12-31 前", None, None, ""),
])
def test_measures_are_read_as_written(text, op, value, unit):
    measure = parse_measure(text)
    assert (measure.op, measure.value, measure.unit) == (op, value, unit)


def test_a_missed_at_least_target_scores_in_proportion():
    score = score_indicator(Indicator("产出", "数量", "培训人数", "≥60人", "45人", Decimal(10)))
    assert score.score == Decimal("7.50") and not score.met


def test_a_lower_is_better_target():
    assert score_indicator(Indicator("a", "b", "成本", "≤100元", "80元", Decimal(4))).score == 4
    assert score_indicator(Indicator("a", "b", "成本", "≤100元", "125元", Decimal(4))).score == Decimal("3.20")


def test_exceeding_a_plain_target_is_capped_at_the_weight():
    assert score_indicator(Indicator("a", "b", "c", "100册", "150册", Decimal(5))).score == 5


def test_a_qualitative_shortfall_needs_the_evaluator_and_a_valid_score():
    row = Indicator("a", "b", "制度健全性", "健全", "基本健全", Decimal(2))
    with pytest.raises(ScoringError, match="enter the evaluator's score"):
        score_indicator(row)
    with pytest.raises(ScoringError, match="between 0 and the weight"):
        score_indicator(Indicator(**{**row.__dict__, "evaluator_score": Decimal(3)}))
    assert score_indicator(Indicator(**{**row.__dict__, "evaluator_score": Decimal("1.5")})).score == Decimal("1.50")


def test_units_that_disagree_are_refused():
    with pytest.raises(ScoringError, match="the actual is in 人 but the target in 场"):
        score_indicator(Indicator("a", "b", "c", "≥4场", "3人", Decimal(5)))


def test_grade_bands_and_the_middle_band_name():
    scheme = Scheme()
    assert [scheme.grade(Decimal(x)) for x in (90, "89.99", 80, 60, "59.99")] == ["优", "良", "良", "中", "差"]
    assert scheme.with_middle_band("可").grade(Decimal(70)) == "可"
