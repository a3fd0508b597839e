"""Imports of opening balances, allocations and historical vouchers: all rows or none."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from ledger.clerks import Clerks
from ledger.imports import import_allocations, import_opening_balances, import_vouchers
from ledger.reports import trial_balance

D = Decimal


@pytest.fixture
def clerks(world):
    return Clerks(world.clerk, world.reviewer, world.poster)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.strip().replace("\n", "\r\n").encode(encoding)


ALLOCATIONS = """
organisation,source,amount,arrived_on,reference
Q1,district,"200,000.00",2025-01-10,区财〔2025〕1号
Q1,city,200000,2025/02/03,市财〔2025〕7号
Q2,district,150000.5,2025-01-12,区财〔2025〕2号
"""


def test_a_good_allocations_file_posts_every_row(world, clerks):
    report = import_allocations(world.session, csv_bytes(ALLOCATIONS), "a.csv", clerks)
    assert report.ok and report.created == 3
    assert world.counts()[2] == 3
    tb = trial_balance(world.session, world.street, 2025, basis="budget")
    assert dict(zip(tb["account"], tb["closing_credit"]))["6001"] == D("350000.50")
    again = import_allocations(world.session, csv_bytes(ALLOCATIONS), "a.csv", clerks)
    assert again.ok and world.counts()[2] == 3  # each row's reference made it idempotent


def test_one_bad_row_writes_nothing_and_names_row_and_column(world, clerks):
    text = ALLOCATIONS + "Q2,district,12.345,2025-01-12,x\nQ9,city,5,2025-13-01,y\n"
    report = import_allocations(world.session, csv_bytes(text), "a.csv", clerks)
    assert not report.ok and report.created == 0 and world.counts() == (0, 0, 0, 0)
    assert [(e.line, e.field) for e in report.errors] == [(5, "amount"), (6, "organisation"), (6, "arrived_on")]
    assert "'12.345' is not an amount" in report.errors[0].message


@pytest.mark.parametrize("value", ["1e309", "NaN", "-0", "0.001", "12345678901234567890", "inf", "1,2345", "+5", ""])
def test_malformed_amounts_are_refused(world, clerks, value):
    text = f'organisation,source,amount,arrived_on\nQ1,district,"{value}",2025-01-10\n'
    report = import_allocations(world.session, csv_bytes(text), "a.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(2, "amount")]
    assert world.counts() == (0, 0, 0, 0)


def test_a_zero_allocation_is_refused(world, clerks):
    report = import_allocations(world.session, csv_bytes("organisation,source,amount,arrived_on\nQ1,district,0.00,2025-01-10"), "a.csv", clerks)
    assert [(e.line, e.field, e.message) for e in report.errors] == [(2, "amount", "amount must be above zero.")]


def test_chinese_titles_in_gbk_are_read(world, clerks):
    text = "单位,资金来源,金额,到账日期,文号\nQ1,district,1000.00,2025-01-10,区财1号\n"
    report = import_allocations(world.session, csv_bytes(text, "gbk"), "a.csv", clerks)
    assert report.ok and report.created == 1


@pytest.mark.parametrize("data, match", [
    ("organisation,source,amount,arrived_on\nQ1,district,1,2025-01-10\n".encode("utf-16"), "UTF-16"),
    (b"organisation,source,amount,arrived_on\nQ1,caf\xe9,1,2025-01-10\n", "neither UTF-8 nor GB18030"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Old .xls"),
    (b"PK\x03\x04broken", "cannot be opened"),
    (b"", "The file is empty"),
    (b"organisation,amount,arrived_on\nQ1,1,2025-01-10\n", "Missing columns: source"),
    (b"organisation,source,amount,arrived_on,colour\nQ1,city,1,2025-01-10,red\n", "Unknown columns: colour"),
])
def test_files_that_cannot_be_read_are_refused_whole(world, clerks, data, match):
    report = import_allocations(world.session, data, "a.csv", clerks)
    assert len(report.errors) == 1 and report.errors[0].line == 1
    assert match in report.errors[0].message and world.counts() == (0, 0, 0, 0)


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_file_with_number_cells(world, clerks):
    import datetime as dt

    data = xlsx([["organisation", "source", "amount", "arrived_on"],
                 ["Q1", "district", 1234.5, dt.datetime(2025, 1, 10)],
                 ["Q1", "city", 300, "2025-02-01"]])
    report = import_allocations(world.session, data, "a.xlsx", clerks)
    assert report.ok and report.created == 2
    bad = xlsx([["organisation", "source", "amount", "arrived_on"], ["Q1", "city", 12.345, "2025-02-01"]])
    report = import_allocations(world.session, bad, "b.xlsx", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(2, "amount")]


OPENING = """
organisation,fiscal_year,account,debit,credit,source
Q1,2025,1002,5000.00,,other
Q1,2025,3001,,5000.00,other
Q1,2025,8001,5000.00,,other
Q1,2025,8101,,5000.00,other
"""


def test_opening_balances_become_the_books_opening(world, clerks):
    report = import_opening_balances(world.session, csv_bytes(OPENING), "o.csv", clerks)
    assert report.ok and report.created == 1
    tb = trial_balance(world.session, world.book, basis="budget")
    assert dict(zip(tb["account"], tb["opening_debit"])) == {"8001": D("5000.00"), "8101": D("0.00")}
    assert tb["debit"].sum() == 0  # an opening, not a movement


def test_opening_balances_must_balance_and_be_balance_sheet_accounts(world, clerks):
    text = OPENING.replace("8101,,5000.00", "8101,,4000.00") + "Q1,2025,4001,,1.00,district\n"
    report = import_opening_balances(world.session, csv_bytes(text), "o.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(6, "account")]
    report = import_opening_balances(world.session, csv_bytes(OPENING.replace("8101,,5000.00", "8101,,4000.00")),
                                     "o.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(2, "lines")]
    assert "budget basis does not balance" in report.errors[0].message and world.counts() == (0, 0, 0, 0)


VOUCHERS = """
organisation,voucher,date,description,account,debit,credit,project,purpose,source,memo
Q1,2025-001,2025-01-10,收到区拨款,1011,1000.00,,,,district,
Q1,2025-001,2025-01-10,收到区拨款,4001,,1000.00,,,district,
Q1,2025-001,2025-01-10,收到区拨款,8001,1000.00,,,,district,
Q1,2025-001,2025-01-10,收到区拨款,6001,,1000.00,,,district,
Q1,2025-002,2025-02-10,支付 P1,5001,300.00,,P1,,district,
Q1,2025-002,2025-02-10,支付 P1,1011,,300.00,,,district,
Q1,2025-002,2025-02-10,支付 P1,7101,300.00,,P1,,district,
Q1,2025-002,2025-02-10,支付 P1,8001,,300.00,,,district,
"""


def test_historical_vouchers_are_posted_with_every_rule(world, clerks):
    world.project("P1", amount="500")
    report = import_vouchers(world.session, csv_bytes(VOUCHERS), "v.csv", clerks)
    assert report.ok and report.created == 2
    tb = trial_balance(world.session, world.book)
    assert dict(zip(tb["account"], tb["closing_debit"]))["1011"] == D("700.00")


def test_a_voucher_refused_by_the_budget_undoes_the_whole_file(world, clerks):
    world.project("P1", amount="200")
    report = import_vouchers(world.session, csv_bytes(VOUCHERS), "v.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(6, "lines")]
    assert "Project P1 would be overspent" in report.errors[0].message
    assert world.counts() == (0, 0, 0, 0)


def test_a_line_refusal_points_at_its_row(world, clerks):
    world.project("P1", amount="500")
    text = VOUCHERS.replace("Q1,2025-002,2025-02-10,支付 P1,7101,300.00,,P1,",
                            "Q1,2025-002,2025-02-10,支付 P1,7101,300.00,,P9,")
    report = import_vouchers(world.session, csv_bytes(text), "v.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(8, "project")]
    assert world.counts() == (0, 0, 0, 0)


def test_rows_of_one_voucher_must_agree(world, clerks):
    text = VOUCHERS.replace("Q1,2025-001,2025-01-10,收到区拨款,4001", "Q1,2025-001,2025-01-11,收到区拨款,4001")
    report = import_vouchers(world.session, csv_bytes(text), "v.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(3, "date")]
    both = VOUCHERS.replace("1011,1000.00,,", "1011,1000.00,5.00,")
    report = import_vouchers(world.session, csv_bytes(both), "v.csv", clerks)
    assert [(e.line, e.field) for e in report.errors] == [(2, "debit")]
