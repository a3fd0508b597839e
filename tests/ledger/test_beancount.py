"""Export to Beancount: ``bean-check`` accepts the file and its balances are ours to the fen."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.beancount_export import account_name, component, export_beancount, quoted
from ledger.books import open_book
from ledger.clerks import Clerks
from ledger.reports import trial_balance
from ledger.yearend import close_year

D = Decimal


def bean_check() -> str:
    found = shutil.which("bean-check") or str(Path(sys.executable).with_name("bean-check"))
    if not Path(found).exists():
        pytest.fail("bean-check is not installed: pip install 'beancount>=3.0'")
    return found


@pytest.fixture
def two_years(world):
    """Q1 and Q2 in 2025, Q1 closed and carried into 2026 where it spends again."""
    world.allocate("10000", source="district")
    world.allocate("5000", source="city")
    p1 = world.project("P1", amount="3000", purpose_code="care")
    world.spend(p1, "1234.56", on=dt.date(2025, 6, 1), memo='说明 "引号" \\ 反斜杠')
    q2 = open_book(world.session, world.neighbour, 2025)
    world.allocate("2000", book=q2)
    world.spend(world.project("P3", amount="800", community=world.neighbour), "500", book=q2)
    result = close_year(world.session, world.book, Clerks(world.clerk, world.reviewer, world.poster))
    world.next_book = result.next_book
    world.allocate("3000", on=dt.date(2026, 1, 20), book=result.next_book)
    world.spend(world.project("P2", amount="900"), "100.10", on=dt.date(2026, 2, 1), book=result.next_book)
    return world


def load(path: Path):
    from beancount import loader
    from beancount.core import realization

    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    real = realization.realize(entries)
    return {
        r.account: r.balance.get_currency_units("CNY").number
        for r in realization.iter_children(real) if not r.balance.is_empty()
    }


def test_the_export_passes_bean_check_and_agrees_with_the_trial_balance(two_years, tmp_path):
    w = two_years
    text = export_beancount(w.session, w.street)
    path = tmp_path / "books.beancount"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run([bean_check(), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'voucher: "Q1/2026#2"' in text and 'project: "P1"' in text and 'purpose: "care"' in text
    assert text.count("期初余额") == 0  # 2026's opening voucher is left out: 2025 is exported too

    balances = load(path)
    for basis in ("financial", "budget"):
        for row in trial_balance(w.session, w.next_book, basis=basis).itertuples():
            name = account_name("Q1", row.account, row.category, basis)
            assert balances.get(name, D("0.00")) == row.closing_debit - row.closing_credit, name
    assert balances["Assets:Q1:1011"] == D("16665.34")  # 13,765.44 carried + 3,000 - 100.10
    assert balances["Equity:Q1:Budget:8101"] == D("-13765.44")
    assert balances["Expenses:Q2:Budget:7101"] == D("500.00")


def test_one_later_year_alone_starts_from_its_opening_voucher(two_years, tmp_path):
    text = export_beancount(two_years.session, two_years.next_book)
    path = tmp_path / "2026.beancount"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run([bean_check(), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2025年结转期初余额" in text and load(path)["Assets:Q1:1011"] == D("16665.34")


def test_a_changed_figure_fails_bean_check(two_years, tmp_path):
    text = export_beancount(two_years.session, two_years.book)
    path = tmp_path / "tampered.beancount"
    path.write_text(text.replace("1234.56 CNY", "1234.65 CNY", 1), encoding="utf-8")
    run = subprocess.run([bean_check(), str(path)], capture_output=True, text=True)
    assert run.returncode != 0


@pytest.mark.parametrize("code, expected", [("Q1", "Q1"), ("q_1", "Q-1"), ("-x", "X-x"), ("C01", "C01")])
def test_names_are_valid_beancount_components(code, expected):
    assert component(code) == expected
    assert account_name(code, "8001", "fund_balance", "budget") == f"Equity:{expected}:Budget:8001"


def test_strings_are_escaped():
    assert quoted('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c d"'
