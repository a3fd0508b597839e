"""Text that looks like a formula leaves every export as text (issue 17, finding 2).

A secretary can name a project ``=HYPERLINK(...)`` and a street can be renamed: whatever
users type reaches the district's spreadsheets. No export may hand it to Excel as a
formula: in a workbook no cell is of type ``f`` and the text is kept as it was typed; in a
CSV a text field that a spreadsheet would read as a formula starts with ``'``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ledger.books import Book
from ledger.organisations import by_code
from ledger.projects import LedgerProject
from ledger.reports import neutral_text
from workflows.evaluation import Evaluation
from workflows.projects import Project

FORMULA = '=HYPERLINK("http://evil.example/","x")'
SUM = "=1+1"
BOARD_TABLES = ("execution_total", "execution_by_community", "timeline", "purposes", "idle", "concentrated",
                "late_allocations", "overdue_steps", "emergencies", "by_type", "by_step")


@pytest.fixture
def poisoned(world, session):
    """The demo world with formulas for the names of 春华一社区, its projects and their leaders."""
    community = by_code(session, "Q010101")
    community.name = FORMULA
    for project in session.scalars(select(Project).where(Project.community_id == community.id)):
        project.title, project.responsible_person = FORMULA, SUM
    for project in session.scalars(select(LedgerProject).where(LedgerProject.organisation_id == community.id)):
        project.title = FORMULA
    session.commit()
    book = session.scalar(select(Book).where(Book.organisation_id == community.id).order_by(Book.fiscal_year.desc()))
    evaluation = session.scalar(select(Evaluation).order_by(Evaluation.id))
    return {"street": by_code(session, "S0101").id, "book": book.id, "year": book.fiscal_year,
            "evaluation": evaluation.id}


def _exports(ids: dict) -> list[tuple[str, str]]:
    book, year, street = ids["book"], ids["year"], ids["street"]
    finance = [
        f"/finance/books/{book}/trial-balance?format={fmt}" for fmt in ("csv", "xlsx")
    ] + [
        f"/finance/books/{book}/ledger?account=8001&kind={kind}&format={fmt}"
        for kind in ("subsidiary", "general") for fmt in ("csv", "xlsx")
    ] + [
        f"/finance/execution?org={street}&year={year}&by={by}&format={fmt}"
        for by in ("community", "project", "purpose", "source") for fmt in ("csv", "xlsx")
    ]
    return (
        [("finance-s0101", url) for url in finance]
        + [("committee-s0101", f"/street/S0101/dashboard.xlsx?year={year}")]
        + [("oversight-d01", f"/oversight/D01/export.xlsx?year={year}")]
        + [("oversight-d01", f"/oversight/S0101/export/{table}.csv?year={year}") for table in BOARD_TABLES]
        + [("oversight-d01", f"/evaluation/{ids['evaluation']}/self-evaluation.xlsx")]
    )


def _workbook_texts(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", ""))
    except InvalidOperation:
        return False
    return True


def _csv_fields(data: bytes) -> list[str]:
    fields = [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for field in row]
    for field in fields:
        assert not field.startswith(("=", "+", "@", "\t", "\r")), f"a formula in a CSV field: {field!r}"
        assert not field.startswith("-") or _is_number(field), f"a formula in a CSV field: {field!r}"
    return fields


def test_every_export_writes_typed_formulas_as_text(poisoned, login_as):
    clients, carried = {}, []
    for role, url in _exports(poisoned):
        client = clients.get(role) or clients.setdefault(role, login_as(role))
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.mimetype == "text/csv":
            values = _csv_fields(response.get_data())
            if neutral_text(FORMULA) in values or any(v.startswith(neutral_text(FORMULA)) for v in values):
                carried.append(url)
        else:
            assert response.mimetype.endswith("spreadsheetml.sheet"), (url, response.mimetype)
            values = _workbook_texts(response.get_data())
            if any(FORMULA in v for v in values):
                carried.append(url)
    # The formulas did reach the exports that name the community or its projects.
    assert any("/street/S0101/dashboard.xlsx" in url for url in carried)
    assert any("/oversight/D01/export.xlsx" in url for url in carried)
    assert any("by=community&format=csv" in url for url in carried)
    assert any("by=project&format=xlsx" in url for url in carried)
    assert any("execution_by_community.csv" in url for url in carried)


@pytest.mark.parametrize("text", [FORMULA, SUM, "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_field_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert neutral_text(text) == "'" + text


@pytest.mark.parametrize("text", ["春华一社区", "1+1", "楼道=照明", "'=already quoted", ""])
def test_other_text_is_left_as_it_is(text):
    assert neutral_text(text) == text
