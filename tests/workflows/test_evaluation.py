"""Evaluations in the database: the filed 2021 table scores 95.58 优; computed indicators
come from the books and the projects; a final evaluation no longer changes."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.organisations import Organisation
from ledger.scoring import read_self_evaluation_csv
from tests.workflows.test_paths import pay
from workflows.errors import WorkflowError
from workflows.evaluation import (
    DEFAULT_TEMPLATES, enter_item, evaluation_from_table, finalise, save_template, seed_default_templates,
    start_evaluation,
)

TABLE = Path(__file__).resolve().parents[2].parent / "shared" / "acceptance" / "self_evaluation_2021.csv"


def _district(flow) -> Organisation:
    return flow.street.parent


def test_the_filed_2021_table_scores_95_58_excellent_and_every_published_score(flow):
    text = TABLE.read_text(encoding="utf-8")
    evaluation = evaluation_from_table(flow.session, read_self_evaluation_csv(text), _district(flow),
                                       flow.street, 2021, "2021年自评", by=flow.committee)
    published = [Decimal(row["published_score"]) for row in csv.DictReader(text.splitlines())]
    assert [item.score for item in evaluation.items] == published
    assert (evaluation.total, evaluation.grade) == (Decimal("95.58"), "优")


def test_finalising_needs_every_shortfall_explained_and_then_freezes(flow):
    evaluation = evaluation_from_table(flow.session, read_self_evaluation_csv(TABLE.read_text(encoding="utf-8")),
                                       _district(flow), flow.street, 2021, "2021年自评", by=flow.committee)
    with pytest.raises(WorkflowError, match="Explain the shortfall of: 预算执行率"):
        finalise(flow.session, evaluation, by=flow.committee)
    for item in evaluation.items[:2]:
        enter_item(flow.session, item, by=flow.committee, shortfall_reason="部分培训因疫情延期，资金未全部支出。")
    finalise(flow.session, evaluation, by=flow.committee)
    assert evaluation.status == "final"
    with pytest.raises(WorkflowError, match="final"):
        enter_item(flow.session, evaluation.items[2], by=flow.committee, actual="基本合理")


def test_an_unmatched_qualitative_actual_waits_for_the_evaluators_score(flow):
    evaluation = evaluation_from_table(flow.session, read_self_evaluation_csv(TABLE.read_text(encoding="utf-8")),
                                       _district(flow), flow.street, 2021, "2021年自评", by=flow.committee)
    item = evaluation.items[2]  # 预算编制合理性: 合理
    enter_item(flow.session, item, by=flow.committee, actual="基本合理")
    assert item.score is None and evaluation.total is None
    enter_item(flow.session, item, by=flow.committee, evaluator_score=Decimal("1.5"))
    assert item.score == Decimal("1.50") and evaluation.total == Decimal("95.08") and evaluation.grade == "优"


def test_templates_are_checked_and_versioned(flow):
    rows = DEFAULT_TEMPLATES[("社区服务群众经费（街道）", "street_fund")]
    with pytest.raises(WorkflowError, match="add up to 90"):
        save_template(flow.session, _district(flow), "t", "street_fund", rows[1:], by=flow.committee)
    with pytest.raises(WorkflowError, match="belong to a district"):
        save_template(flow.session, flow.street, "t", "street_fund", rows, by=flow.committee)
    bad = [{**rows[0], "source": "made_up"}, *rows[1:]]
    with pytest.raises(WorkflowError, match="source 'made_up' is unknown"):
        save_template(flow.session, _district(flow), "t", "street_fund", bad, by=flow.committee)
    first = save_template(flow.session, _district(flow), "t", "street_fund", rows, by=flow.committee)
    second = save_template(flow.session, _district(flow), "t", "street_fund", rows, by=flow.committee)
    assert (first.version, second.version) == (1, 2)


def test_computed_indicators_come_from_the_books_and_the_projects(flow):
    project = flow.project()
    flow.walk(project, "implementation", amount="8000.00")
    pay(flow, project, "7500.00")
    flow.walk(project, "closed")
    templates = seed_default_templates(flow.session, _district(flow), by=flow.committee)
    street_template = next(t for t in templates if t.subject == "street_fund")
    evaluation = start_evaluation(flow.session, street_template, flow.street, 2026, by=flow.committee)
    actual = {item.source: item.actual for item in evaluation.items if item.source != "manual"}
    assert actual["budget_execution_amount"] == "预算执行数 7500.00 元"
    assert evaluation.items[0].target == "全年预算数 50000.00 元"
    assert actual["communities_served"] == "1个" and actual["projects_completed"] == "1个"
    assert actual["satisfaction"] == "100.00%" and actual["publicity_on_time"] == "100.00%"
    assert evaluation.items[0].score == Decimal("1.50")  # 10 × 7500 / 50000
    with pytest.raises(WorkflowError, match="computed from the records"):
        enter_item(flow.session, evaluation.items[0], by=flow.committee, actual="预算执行数 50000 元")
    project_template = next(t for t in templates if t.subject == "project")
    with pytest.raises(WorkflowError, match="evaluates a project"):
        start_evaluation(flow.session, project_template, flow.street, 2026, by=flow.committee)
    of_project = start_evaluation(flow.session, project_template, flow.community, 2026, by=flow.committee, project=project)
    assert of_project.items[0].actual == "预算执行数 7500.00 元"
