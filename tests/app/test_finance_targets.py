"""Street finance sets the planned budget (预算指标); the dashboards measure against it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledger.organisations import by_code
from ledger.targets import BudgetTarget
from tests.app.conftest import csrf_token
from tests.app.test_street_support import YEAR, cells, city  # noqa: F401


def _post(client, street_id, community_id, **fields):
    data = {"csrf_token": csrf_token(client, "/home"), "organisation": community_id, "source": "district",
            "fiscal_year": YEAR, "amount": "", "reference": "", "reason": "", **fields}
    return client.post(f"/finance/targets/set?org={street_id}&year={YEAR}", data=data)


def _versions(session, community_id):
    session.expire_all()
    return session.scalars(select(BudgetTarget.amount).where(
        BudgetTarget.organisation_id == community_id, BudgetTarget.fiscal_year == YEAR)
        .order_by(BudgetTarget.funding_source_id, BudgetTarget.version)).all()


def test_the_page_shows_the_plan_beside_what_arrived(city, session, login_as):
    street = by_code(session, "S0201")
    page = login_as("finance-s0201").get(f"/finance/targets?org={street.id}&year={YEAR}").get_data(as_text=True)
    row = cells(page, "data-org", "Q020101")  # 河西区's district money: 120,000 of 200,000 arrived
    assert (row["allocated"], row["arrived"], row["arrival_rate"]) == ("400,000.00", "320,000.00", "80.00%")
    assert 'id="set-target"' in page


def test_a_change_needs_a_reason_and_is_kept_as_a_new_version(city, session, login_as):
    client = login_as("finance-s0101")
    street, community = by_code(session, "S0101"), by_code(session, "Q010103")
    before = _versions(session, community.id)
    refused = _post(client, street.id, community.id, amount="150,000")
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert _versions(session, community.id) == before
    done = _post(client, street.id, community.id, amount="150,000", reason="区级预算调减", reference="区财〔2026〕9号")
    assert done.status_code == 302
    assert sorted(_versions(session, community.id)) == sorted([*before, Decimal("150000.00")])  # nothing lost
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "区级预算调减" in page and 'data-target="Q010103-district-2"' in page
    dashboard = login_as("committee-s0101").get(f"/street/S0101?year={YEAR}").get_data(as_text=True)
    assert cells(dashboard, "data-org", "Q010103")["allocated"] == "350,000.00"


def test_wrong_input_is_refused_next_to_its_field(city, session, login_as):
    client = login_as("finance-s0101")
    street, community = by_code(session, "S0101"), by_code(session, "Q010103")
    before = _versions(session, community.id)
    for fields in ({"amount": "abc"}, {"amount": "-5"}, {"amount": "1.001"}, {"amount": "100", "fiscal_year": "99"},
                   {"amount": "100", "source": "nope"}, {"amount": "100", "organisation": "x"}):
        response = _post(client, street.id, community.id, **fields)
        assert response.status_code == 422, fields
        assert 'role="alert"' in response.get_data(as_text=True), fields
    foreign = by_code(session, "XQ010101")
    foreign_before = _versions(session, foreign.id)
    assert _post(client, street.id, foreign.id, amount="100", reason="x").status_code == 422
    assert _versions(session, community.id) == before
    assert _versions(session, foreign.id) == foreign_before


def test_a_secretary_reads_but_cannot_set(city, session, login_as):
    community = by_code(session, "Q010101")
    client = login_as("secretary-q010101")
    page = client.get(f"/finance/targets?org={community.id}&year={YEAR}").get_data(as_text=True)
    assert "400,000.00" in page and 'id="set-target"' not in page
    assert _post(client, community.id, community.id, amount="1", reason="x").status_code == 403


def test_the_evaluations_funds_arrived_rate_is_measured_against_the_plan(city, session):
    from workflows.evaluation import Evaluation, EvaluationItem

    street = by_code(session, "S0201")  # 河西区: each community got 320,000 of its 400,000 plan
    evaluation = session.scalar(select(Evaluation).where(Evaluation.organisation_id == street.id))
    item = session.scalar(select(EvaluationItem).where(EvaluationItem.evaluation_id == evaluation.id,
                                                       EvaluationItem.source == "funds_arrived_rate"))
    assert item.actual == "80.00%"
    budget = session.scalar(select(EvaluationItem).where(EvaluationItem.evaluation_id == evaluation.id,
                                                         EvaluationItem.source == "budget_execution_amount"))
    assert budget.target == "全年预算数 1200000.00 元"


def test_the_command_line_imports_a_file_whole_or_not_at_all(city, session, app, tmp_path):
    community = by_code(session, "Q010103")
    before = _versions(session, community.id)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(f"community,fiscal_year,source,amount,reason\nQ010103,{YEAR},district,150000,调减\n"
                     f"Q999,{YEAR},city,1,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ledger", "import-targets", str(wrong), "--by", "finance-s0101"])
    assert result.exit_code != 0 and "line 3" in result.output
    assert _versions(session, community.id) == before
    right = tmp_path / "right.csv"
    right.write_text(f"community,fiscal_year,source,amount,reason\nQ010103,{YEAR},district,150000,调减\n",
                     encoding="utf-8-sig")
    result = app.test_cli_runner().invoke(args=["ledger", "import-targets", str(right), "--by", "finance-s0101"])
    assert result.exit_code == 0, result.output
    assert sorted(_versions(session, community.id)) == sorted([*before, Decimal("150000.00")])
