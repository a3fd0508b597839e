"""Charts inside the dashboard's Excel workbook (openpyxl.chart), drawn from its own cells.

Each chart points at the cell ranges of the sheet it sits on, so the chart and the
figures beside it can never disagree, and a reader who edits a cell sees the chart move.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class ChartSpec:
    """A chart of one sheet: its kind, the category column and the value column (frame names)."""

    kind: str  # "bar", "pie" or "line"
    category: str
    value: str
    title: str
    y_title: str = ""


def add_chart(sheet: Worksheet, frame: pd.DataFrame, spec: ChartSpec) -> None:
    """Put the chart of ``spec`` to the right of the table on ``sheet`` (nothing when empty)."""
    rows = len(frame)
    if not rows or spec.category not in frame.columns or spec.value not in frame.columns:
        return
    category_col = list(frame.columns).index(spec.category) + 1
    value_col = list(frame.columns).index(spec.value) + 1
    values = Reference(sheet, min_col=value_col, min_row=1, max_row=rows + 1)  # with its header as the name
    categories = Reference(sheet, min_col=category_col, min_row=2, max_row=rows + 1)
    chart = {"bar": BarChart, "pie": PieChart, "line": LineChart}[spec.kind]()
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(categories)
    chart.title = spec.title
    if spec.kind == "bar":
        chart.type = "bar"  # horizontal: long community names stay readable
        chart.y_axis.title = spec.y_title
    elif spec.kind == "line":
        chart.y_axis.title = spec.y_title
        chart.x_axis.title = sheet.cell(row=1, column=category_col).value
    chart.height = max(7.5, min(0.6 * rows + 3, 20)) if spec.kind == "bar" else 7.5
    chart.width = 16
    sheet.add_chart(chart, f"{get_column_letter(len(frame.columns) + 2)}2")
