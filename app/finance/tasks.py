"""What the finance jobs do in the background: exports, imports, the year-end close.

Each handler takes the job (``app/jobs``) and a progress callback; exports only read and
report progress as they go, imports and the year-end close write and commit with the
job's ``done`` in one transaction.
"""

from __future__ import annotations


from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ledger.books import Book
from ledger.clerks import Clerks
from ledger.errors import N_
from ledger.organisations import Organisation
from ledger.reports import save_workbook, to_xlsx_bytes, trial_balances, with_totals
from ledger.reports.export import CHINESE_TITLES, MONEY_FORMAT
from ledger.yearend import close_year

from ..extensions import db
from ..jobs.kinds import JobFailed, message_of, register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org(job) -> Organisation:
    return db.session.get(Organisation, job.parameters["organisation_id"])


def export_execution(job, progress) -> None:
    from .reports import execution_frame

    org, year, by = _org(job), job.parameters["fiscal_year"], job.parameters.get("by", "community")
    progress(20, N_("Computing the figures…"))
    frame = execution_frame(db.session, org, year, by)
    progress(80, N_("Writing the workbook…"))
    job.result_bytes = to_xlsx_bytes(frame, sheet=f"{year}预算执行")
    job.result_name = f"预算执行_{org.code}_{year}_{by}.xlsx"
    job.result_mimetype = XLSX
    job.result = {"lines": [message_of(N_("%(count)s rows."), count=len(frame))]}


def export_trial_balances(job, progress) -> None:
    """One sheet per book under the organisation: the financial and budget trial balances."""
    org, year = _org(job), job.parameters["fiscal_year"]
    books = db.session.scalars(
        select(Book).join(Organisation, Organisation.id == Book.organisation_id)
        .where(Organisation.path.startswith(org.path, autoescape=True), Book.fiscal_year == year)
        .order_by(Organisation.path)
    ).all()
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, book in enumerate(books):
        sheet = workbook.create_sheet(f"{book.organisation.code}"[:31])
        frames = trial_balances(db.session, book, year)
        for basis, title in (("financial", "财务会计"), ("budget", "预算会计")):
            frame = with_totals(frames[basis])
            sheet.append([f"{book.organisation.name} {year} 试算平衡表（{title}）"])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            sheet.append([CHINESE_TITLES.get(c, c) for c in frame.columns])
            for row in frame.itertuples(index=False):
                sheet.append(list(row))
                for cell in sheet[sheet.max_row][3:]:
                    cell.number_format = MONEY_FORMAT
            sheet.append([])
        progress(5 + 90 * (index + 1) // max(len(books), 1), N_("Writing the workbook…"))
    if not books:
        workbook.create_sheet("—").append(["没有账簿"])
    job.result_bytes = save_workbook(workbook)
    job.result_name = f"试算平衡表_{org.code}_{year}.xlsx"
    job.result_mimetype = XLSX
    job.result = {"lines": [message_of(N_("%(count)s books."), count=len(books))]}


def _clerks(job) -> Clerks:
    if job.confirmed_by is None or job.poster is None:
        raise JobFailed(N_("This job needs the confirmations of two more clerks."))
    return Clerks(job.requested_by, job.confirmed_by, job.poster)


def run_import(job, progress) -> None:
    from .imports import IMPORTS, row_reports

    kind = job.parameters["kind"]
    report = IMPORTS[kind](db.session, job.payload or b"", job.parameters["filename"], _clerks(job),
                           within=job.parameters.get("within"))
    if not report.ok:
        raise JobFailed(N_("Nothing was imported: correct the rows below and upload the file again."),
                        {"rows": row_reports(report)})
    job.result = {"lines": [message_of(N_("%(count)s vouchers posted."), count=report.created)]}
    job.message = N_("Imported.")


def run_year_end(job, progress) -> None:
    book = db.session.get(Book, job.parameters["book_id"])
    outcome = close_year(db.session, book, _clerks(job), job.parameters.get("disposition", "carry_over"))
    lines = [message_of(N_("Year %(year)s of books %(book)s closed with %(count)s closing vouchers."),
                        year=book.fiscal_year, book=book.label, count=len(outcome.vouchers))]
    if outcome.already_closed:
        lines = [message_of(N_("The year was already closed; nothing more was done."))]
    if outcome.next_book is not None:
        lines.append(message_of(N_("Books %(book)s are open."), book=outcome.next_book.label))
    job.result = {"lines": lines}
    job.message = N_("Year closed.")


register("finance.export_execution", _l("Budget execution (Excel)"), export_execution)
register("finance.export_trial_balances", _l("All trial balances (Excel)"), export_trial_balances)
register("finance.import", _l("Import into the books"), run_import, writes=True)
register("finance.year_end", _l("Year-end close"), run_year_end, writes=True)
