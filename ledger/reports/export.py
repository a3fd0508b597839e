"""Reports as files: CSV (UTF-8 with BOM, so Excel opens the Chinese right) and Excel.

Each function takes a report's ``DataFrame`` and returns bytes for a download or an
attachment. ``chinese=True`` puts the Chinese column titles (报表栏目) in the header row;
amounts keep two decimals in both formats, rates are percentages with the decimals the
report rounded them to.

Text is written as text, never as a formula (OWASP, "CSV Injection"): a project titled
``=HYPERLINK(...)`` must not run when a district officer opens the export. In a workbook a
text cell keeps its exact text, typed as a string and marked with Excel's quote prefix
(``save_workbook``, through which every workbook of the application is saved); a CSV has
no types, so a text field that a spreadsheet would read as a formula gets a leading ``'``.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

#: Column titles as printed on Chinese statements.
CHINESE_TITLES = {
    "account": "科目编码", "name": "名称", "category": "类别",
    "opening_debit": "期初借方", "opening_credit": "期初贷方",
    "debit": "借方", "credit": "贷方",
    "closing_debit": "期末借方", "closing_credit": "期末贷方",
    "date": "日期", "organisation": "单位", "number": "凭证号", "description": "摘要",
    "project": "项目", "title": "项目名称", "purpose": "用途", "source": "资金来源",
    "balance": "余额", "side": "方向", "month": "月份", "opening": "期初余额", "closing": "期末余额",
    "allocated": "下达金额", "arrived": "到位金额", "spent": "支出金额", "approved": "批复金额",
    "execution_rate": "预算执行率(%)", "arrival_rate": "资金到位率(%)", "share": "支出占比(%)",
    "income": "收入", "month_spent": "当月支出", "cumulative_spent": "累计支出",
}
RATE_COLUMNS = {"execution_rate", "arrival_rate", "share"}
MONEY_FORMAT = "#,##0.00"


def _titled(frame: pd.DataFrame, chinese: bool) -> pd.DataFrame:
    return frame.rename(columns=CHINESE_TITLES) if chinese else frame


#: What a spreadsheet reads as the start of a formula in a text field.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(text: str) -> str:
    """``text`` for a CSV field: a spreadsheet shows it and never runs it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, str):
        return neutral_text(value)
    return str(value)


def save_workbook(book: Workbook) -> bytes:
    """``book`` saved as .xlsx with every cell that would be a formula written as its text.

    The application computes its figures itself and writes no formula, so any cell typed as
    one holds a user's text (openpyxl types a string starting with ``=`` as a formula).
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv_bytes(frame: pd.DataFrame, chinese: bool = True) -> bytes:
    """The report as CSV: exact decimal text, never a float's ``97.68999999``."""
    titled = _titled(frame, chinese)
    text = titled.map(_text).to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def _number_format(column: str, places: int) -> str | None:
    if column in RATE_COLUMNS:
        return "0" + ("." + "0" * places if places else "")
    return None


def to_xlsx_bytes(
    frame: pd.DataFrame, sheet: str = "报表", chinese: bool = True, rate_places: int = 2
) -> bytes:
    """The report as an Excel workbook: bold frozen header, amounts as ``#,##0.00``."""
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([CHINESE_TITLES.get(c, c) if chinese else c for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    for row in frame.itertuples(index=False):
        ws.append([None if v is None or (isinstance(v, float) and v != v) else v for v in row])
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        rate_format = _number_format(column, rate_places)
        values = [v for v in frame[column] if v is not None]
        is_money = values and all(isinstance(v, Decimal) for v in values) and rate_format is None
        for cell in ws[letter][1:]:
            if rate_format:
                cell.number_format = rate_format
            elif is_money:
                cell.number_format = MONEY_FORMAT
        width = max([len(_text(v)) for v in values] + [len(str(ws[f"{letter}1"].value)) * 2], default=8)
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    return save_workbook(book)
