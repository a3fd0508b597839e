"""The benchmark's generator and figure comparison at ``tiny`` scale (bench/): no timing, only
that the generated city posts under every rule and that our reports, a bare SQL GROUP BY,
Beancount and hledger give the same figures to the fen."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bench import figures
from bench.generate import SCALES, load, plan_city
from bench.results import KEYS, RESULTS, result, write
from ledger.organisations import by_code
from ledger.verify import verify
from ledger.vouchers import POSTED, Voucher

TINY = SCALES["tiny"]


def _generated(session, scale=TINY):
    plan = plan_city(scale, seed=7)
    load(session, plan, log=lambda _message: None)
    return plan


def _scopes(session, plan):
    return [by_code(session, plan.communities()[0]), by_code(session, plan.streets()[0]), by_code(session, plan.city)]


def test_same_seed_plans_the_same_city():
    first, second = plan_city(TINY, seed=3), plan_city(TINY, seed=3)
    assert first.tree_csv() == second.tree_csv()
    assert [(v.organisation, v.date, v.lines) for v in first.vouchers] == \
        [(v.organisation, v.date, v.lines) for v in second.vouchers]
    assert plan_city(TINY, seed=4).vouchers[0].lines != first.vouchers[0].lines


def test_tiny_city_figures_agree_on_every_tool(session, tmp_path):
    plan = _generated(session)
    posted = session.scalar(select(func.count(Voucher.id)).where(Voucher.status == POSTED))
    assert posted == TINY.voucher_count
    assert verify(session) == []
    year = TINY.year_list[-1]
    for scope in _scopes(session, plan):
        results = figures.compare(session, scope, year, tmp_path / scope.code, use_hledger=False)
        ours = results["ours"]
        assert ours.balances and ours.execution["spent"] > 0
        for tool in ("sql", "beancount"):
            assert results[tool].balances == ours.balances, tool
            assert results[tool].execution["spent"] == ours.execution["spent"], tool
            assert results[tool].execution["arrived"] == ours.execution["arrived"], tool
        assert results["sql"].execution["allocated"] == ours.execution["allocated"]
    figures.all_years(session, by_code(session, plan.city))  # every year at once: raises on a difference
    if figures.HLEDGER is None:
        pytest.skip("hledger is not installed (apt-get install -y hledger): its figures were not compared")
    city = by_code(session, plan.city)
    with_hledger = figures.compare(session, city, year, tmp_path / "hledger", use_hledger=True)
    assert with_hledger["hledger"].balances == with_hledger["ours"].balances


def test_a_figure_off_by_one_fen_fails_the_comparison():
    balances = {"1011": Decimal("100.00"), "5001": Decimal("-100.00")}
    ours = figures.Figures("ours", balances, {"spent": Decimal("100.00")})
    off = figures.Figures("beancount", {**balances, "1011": Decimal("100.01")}, {"spent": Decimal("100.00")})
    with pytest.raises(figures.Disagreement, match="1011"):
        figures.check_agree([ours, off])
    spent_off = figures.Figures("hledger", balances, {"spent": Decimal("99.99")})
    with pytest.raises(figures.Disagreement, match="spent"):
        figures.check_agree([ours, spent_off])


@pytest.mark.postgres
def test_copied_vouchers_keep_every_rule_on_postgres(session, tmp_path):
    """Past ``imported`` vouchers the generator COPYs: chains, numbers and budgets still hold."""
    from bench.bulk import check_loaded

    scale = dataclasses.replace(TINY, imported=20)
    plan = _generated(session, scale)
    assert session.scalar(select(func.count(Voucher.id)).where(Voucher.status == POSTED)) == scale.voucher_count
    assert check_loaded(session) == []
    assert verify(session) == []
    city = by_code(session, plan.city)
    results = figures.compare(session, city, scale.year_list[-1], tmp_path, use_hledger=False)
    assert results["beancount"].balances == results["sql"].balances == results["ours"].balances


def test_results_have_the_required_keys(tmp_path):
    path = tmp_path / "results.json"
    write([result("posting: service, 4 clients", "tiny", 10.0, 20.0, "vouchers/s", "a machine", "raw INSERT")], path)
    entry = json.loads(path.read_text())[0]
    assert set(KEYS) <= set(entry) and entry["ratio"] == 0.5
    if RESULTS.exists():  # the committed results of the last bench/run
        for entry in json.loads(RESULTS.read_text()):
            assert set(KEYS) <= set(entry), entry
