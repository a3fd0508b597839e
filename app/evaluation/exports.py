"""The self-evaluation table (绩效自评表) as Excel and the evaluation report as PDF."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ledger.reports import save_workbook
from workflows.evaluation import Evaluation

HEADERS = ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
#: A CJK font every PDF reader has (Adobe's Asian font packs), so nothing is embedded or fetched.
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _title(evaluation: Evaluation) -> str:
    subject = evaluation.project.title if evaluation.project else evaluation.organisation.name
    return f"{evaluation.fiscal_year}年度{subject}绩效自评表"


def _rows(evaluation: Evaluation) -> list[list]:
    return [[i.level1, i.level2, i.level3, i.target, i.actual, i.weight, i.score, i.shortfall_reason]
            for i in evaluation.items]


def self_evaluation_xlsx(evaluation: Evaluation) -> bytes:
    """The table in the layout districts file: title, the eight columns, total and grade."""
    book = Workbook()
    sheet = book.active
    sheet.title = "绩效自评表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([_title(evaluation)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"评价对象：{evaluation.organisation.name}", "", "", f"评分规则：{'截尾' if evaluation.template.rounding == 'truncate' else '四舍五入'}，保留{evaluation.template.decimals}位小数"])
    sheet.append(HEADERS)
    for row in _rows(evaluation):
        sheet.append([float(v) if hasattr(v, "quantize") else v for v in row])
    weight = sum(i.weight for i in evaluation.items)
    sheet.append(["合计", "", "", "", "", float(weight), float(evaluation.total) if evaluation.total is not None else None,
                  f"评价等级：{evaluation.grade or '未完成'}"])
    last = sheet.max_row
    for row in sheet.iter_rows(min_row=3, max_row=last):
        for cell in row:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        row[5].number_format = row[6].number_format = "0.00"
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (12, 12, 28, 18, 18, 8, 8, 36)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    return save_workbook(book)


def evaluation_pdf(evaluation: Evaluation) -> bytes:
    """The evaluation report, printable on A4 landscape, in Chinese."""
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=_title(evaluation))
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    data = [[Paragraph(h, cell) for h in HEADERS]]
    for row in _rows(evaluation):
        data.append([Paragraph("" if v is None else str(v), cell) for v in row])
    data.append([Paragraph(v, cell) for v in ("合计", "", "", "", "",
                 str(sum(i.weight for i in evaluation.items)),
                 "" if evaluation.total is None else str(evaluation.total), f"评价等级：{evaluation.grade or '未完成'}")])
    table = Table(data, colWidths=[22 * mm, 22 * mm, 50 * mm, 30 * mm, 30 * mm, 14 * mm, 14 * mm, 88 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    status = "定稿" if evaluation.status == "final" else "草稿"
    document.build([
        Paragraph(_title(evaluation), title), Spacer(1, 4 * mm),
        Paragraph(f"评价对象：{evaluation.organisation.name}　　年度：{evaluation.fiscal_year}　　状态：{status}　　"
                  f"总分：{evaluation.total if evaluation.total is not None else '—'}　　等级：{evaluation.grade or '—'}", body),
        Spacer(1, 3 * mm), table,
    ])
    return out.getvalue()
