"""The dashboard as files: one Excel workbook with a sheet per table, or one CSV per table.

Each sheet is made by the ledger's ``to_xlsx_bytes`` (its header, number formats and
column widths) and copied into one workbook, so the file opens with the very numbers
the page shows. The tables are the same frames the page renders.
"""

from __future__ import annotations

import io

import pandas as pd
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ledger.reports import save_workbook, to_csv_bytes, to_xlsx_bytes
from workflows.projects import PROJECT_TYPES

from .figures import Board, ProjectLine
from .xlsx_charts import ChartSpec, add_chart

#: Titles of the columns this area adds to the ledger's reports (the others are the core's).
EXTRA_TITLES = {
    "purpose_spent": "该用途支出", "purpose_name": "用途名称", "days_late": "晚于截止日天数",
    "amount": "金额", "arrived_on": "到位日期", "community": "社区", "code": "项目编号",
    "step": "所处步骤", "since": "进入步骤时间", "days_over": "逾期天数", "due": "补议补公开期限",
    "overdue": "是否逾期", "type": "项目类型", "count": "项目数", "number": "步骤序号",
    "voucher": "凭证号", "date": "日期", "project": "项目", "description": "摘要", "allowed_by": "批准人",
    "allowed_at": "批准时间", "note": "批准意见", "reason": "申请理由",
}


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame]], charts: dict[str, ChartSpec] | None = None) -> bytes:
    """Several report frames as one workbook, each sheet formatted by ``to_xlsx_bytes``;
    ``charts`` maps a sheet title to the chart drawn from its cells."""
    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets:
        part = load_workbook(io.BytesIO(to_xlsx_bytes(_titled(frame), sheet=title))).active
        target = book.create_sheet(title[:31])
        for row in part.iter_rows():
            for cell in row:
                copy = target.cell(row=cell.row, column=cell.column, value=cell.value)
                copy.number_format = cell.number_format
                if cell.row == 1:
                    copy.font = Font(bold=True)
                    copy.fill = PatternFill("solid", fgColor="DDEBF7")
                    copy.alignment = Alignment(horizontal="center")
        for letter, dimension in part.column_dimensions.items():
            target.column_dimensions[letter].width = dimension.width
        target.freeze_panes = "A2"
        if charts and title in charts:
            add_chart(target, frame, charts[title])
    return save_workbook(book)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return to_csv_bytes(_titled(frame))


def _titled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=EXTRA_TITLES)


def _project_frame(lines: list[ProjectLine], with_due: bool) -> pd.DataFrame:
    records = []
    for line in lines:
        p = line.project
        base = (p.community.code, p.community.name, p.code, p.title, p.step.title)
        if with_due:
            records.append((*base, _local(line.due), line.days_over or 0, "是" if line.overdue else "否"))
        else:
            records.append((*base, _local(line.since), line.days_over))
    columns = ["organisation", "name", "code", "title", "step"]
    columns += ["due", "days_over", "overdue"] if with_due else ["since", "days_over"]
    return pd.DataFrame.from_records(records, columns=columns)


def _local(moment):
    """A moment as Beijing time without zone (Excel keeps no zones), to the minute."""
    if moment is None:
        return None
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, second=0, microsecond=0)


def board_tables(board: Board) -> list[tuple[str, str, pd.DataFrame]]:
    """``(slug, sheet title, frame)`` of every table of the board, in page order."""
    tables = [("execution_total", _("Total"), pd.DataFrame([board.total]))]
    if board.by_street is not None:
        tables.append(("execution_by_street", _("Execution by street"), board.by_street))
    tables += [
        ("execution_by_community", _("Execution by community"), board.execution),
        ("timeline", _("Execution by month"), board.timeline),
        ("purposes", _("Spending by purpose"), board.purposes),
        ("idle", _("Idle communities"), board.idle),
        ("concentrated", _("Concentrated communities"), board.concentrated),
    ]
    if board.concentrated_streets is not None:
        tables.append(("concentrated_streets", _("Concentrated streets"), board.concentrated_streets))
    tables += [
        ("late_allocations", _("Late allocations"), board.late),
        ("past_budget", _("Posted past the budget"),
         board.past_budget.assign(allowed_at=[_local(t) for t in board.past_budget["allowed_at"]])),
        ("overdue_steps", _("Overdue steps"), _project_frame(board.overdue, with_due=False)),
        ("emergencies", _("Emergency follow-ups"), _project_frame(board.emergencies, with_due=True)),
        ("by_type", _("Projects by type"), pd.DataFrame(
            [(PROJECT_TYPES[code], count) for code, count in board.counts.by_type], columns=["type", "count"])),
        ("by_step", _("Projects by step"), pd.DataFrame(board.counts.by_step, columns=["number", "step", "count"])),
    ]
    return tables


def board_charts() -> dict[str, ChartSpec]:
    """The charts of the dashboard's workbook, by table slug."""
    return {
        "execution_by_community": ChartSpec("bar", "name", "execution_rate", _("Execution rate per community"),
                                            _("Execution rate (%)")),
        "execution_by_street": ChartSpec("bar", "name", "execution_rate", _("Execution rate per street"),
                                         _("Execution rate (%)")),
        "purposes": ChartSpec("pie", "name", "spent", _("Spending by purpose")),
        "timeline": ChartSpec("line", "month", "execution_rate", _("Cumulative execution rate by month"),
                              _("Execution rate (%)")),
    }


def board_workbook(board: Board) -> bytes:
    specs = board_charts()
    tables = board_tables(board)
    charts = {title: specs[slug] for slug, title, _frame in tables if slug in specs}
    return workbook_bytes([(title, frame) for _slug, title, frame in tables], charts)
