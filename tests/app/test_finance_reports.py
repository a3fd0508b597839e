"""Reports on the page and as CSV / Excel with the same figures; imports; verify; closes."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.jobs.models import Job
from app.jobs.tasks import run_job
from ledger.books import Book
from ledger.vouchers import Voucher
from tests.app.conftest import csrf_token
from tests.app.test_finance_setup import YEAR, fin  # noqa: F401


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def test_trial_balance_page_csv_and_excel_show_the_same_figures(fin, login_as):
    client = login_as("committee-s0101")  # a reader
    page = client.get(f"/finance/books/{fin.book.id}/trial-balance?basis=budget").get_data(as_text=True)
    assert "6001" in page and ("借贷相等" in page or "agree" in page)
    on_page = [c for c in _cells(page) if re.fullmatch(r"[\d,]+\.\d\d", c)]
    csv_response = client.get(f"/finance/books/{fin.book.id}/trial-balance?basis=budget&format=csv")
    assert csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "科目编码"
    csv_amounts = [f"{float(v):,.2f}" for row in rows[1:] for v in row[3:]]
    assert csv_amounts == on_page
    xlsx = client.get(f"/finance/books/{fin.book.id}/trial-balance?basis=budget&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    xlsx_amounts = [f"{float(v):,.2f}" for row in sheet.iter_rows(min_row=2, values_only=True) for v in row[3:]]
    assert xlsx_amounts == on_page


def test_ledgers_show_running_balances_and_download(fin, login_as):
    client = login_as("finance-s0101")
    page = client.get(f"/finance/books/{fin.book.id}/ledger?account=8001").get_data(as_text=True)
    assert "明细账" in page and "总账" in page
    rows = list(csv.reader(io.StringIO(client.get(
        f"/finance/books/{fin.book.id}/ledger?account=8001&kind=subsidiary&format=csv").get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["日期", "单位", "凭证号"] and len(rows) > 1
    last_balance = f"{float(rows[-1][9]):,.2f}"
    assert last_balance in page
    general = load_workbook(io.BytesIO(client.get(
        f"/finance/books/{fin.book.id}/ledger?account=8001&kind=general&format=xlsx").get_data())).active
    assert general.max_row == 13  # header and twelve months
    assert f"{float(general.cell(13, 5).value):,.2f}" == last_balance


def test_execution_of_a_street_on_the_page_and_in_excel(fin, login_as):
    client = login_as("committee-s0101")
    street = fin.book.organisation.parent_id
    page = client.get(f"/finance/execution?org={street}&year={YEAR}&by=community").get_data(as_text=True)
    assert "春华一社区" in page and "春华二社区" in page and "秋实一社区" not in page
    book = load_workbook(io.BytesIO(client.get(
        f"/finance/execution?org={street}&year={YEAR}&by=community&format=xlsx").get_data())).active
    assert [c.value for c in book[1]][:3] == ["单位", "名称", "下达金额"]
    arrived = {row[0]: row[3] for row in book.iter_rows(min_row=2, values_only=True)}
    assert f"{float(arrived['Q010101']):,.2f}" in page


def test_verify_the_books_button(fin, login_as):
    page = login_as("oversight-d01").get("/finance/verify?run=1").get_data(as_text=True)
    assert "chains intact" in page or "哈希链完整" in page or "链" in page


def test_an_import_with_a_bad_row_shows_the_report_and_writes_nothing(fin, session, login_as):
    clerk = login_as("finance-s0101")
    before = session.scalar(select(func.count(Voucher.id)))
    data = ("organisation,source,amount,arrived_on,reference\n"
            "Q010101,district,1000.00,2026-03-01,A-1\n"
            "Q010101,district,12x,2026-03-02,A-2\n"
            "XQ010101,district,5.00,2026-03-02,A-3\n").encode()
    response = clerk.post("/finance/imports", data={
        "csrf_token": csrf_token(clerk, "/home"), "kind": "allocations", "file": (io.BytesIO(data), "a.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<td class=\"num\">3</td>\s*<td>amount</td>", page)
    assert re.search(r"<td class=\"num\">4</td>\s*<td>organisation</td>", page)
    assert session.scalar(select(func.count(Voucher.id))) == before
    assert session.scalar(select(func.count(Job.id))) == 0


def test_a_correct_import_waits_for_two_more_clerks_then_posts(fin, session, login_as, app):
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    before = session.scalar(select(func.count(Voucher.id)))
    data = "organisation,source,amount,arrived_on,reference\nQ010102,city,2500.00,2026-03-01,IMP-1\n".encode()
    response = clerk.post("/finance/imports", data={
        "csrf_token": csrf_token(clerk, "/home"), "kind": "allocations", "file": (io.BytesIO(data), "a.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    job = session.scalars(select(Job)).one()
    assert job.status == "waiting" and session.scalar(select(func.count(Voucher.id))) == before
    assert "1" in clerk.get(f"/jobs/{job.id}").get_data(as_text=True)
    # the uploader cannot confirm their own import
    clerk.post(f"/jobs/{job.id}/confirm", data={"csrf_token": csrf_token(clerk, "/home")})
    session.expire_all()
    assert job.status == "waiting"
    assert "/jobs/" in second.get("/finance/queue").get_data(as_text=True)
    second.post(f"/jobs/{job.id}/confirm", data={"csrf_token": csrf_token(second, "/home")})
    second.post(f"/jobs/{job.id}/confirm", data={"csrf_token": csrf_token(second, "/home")})  # twice: once
    session.expire_all()
    assert job.status == "waiting" and job.confirmed_by.username == "finance2-s0101" and job.poster is None
    third.post(f"/jobs/{job.id}/confirm", data={"csrf_token": csrf_token(third, "/home")})
    session.expire_all()
    assert job.status == "queued"
    assert run_job(job.id) == "done"
    session.expire_all()
    assert job.status == "done" and job.progress == 100 and job.payload is None
    assert session.scalar(select(func.count(Voucher.id))) == before + 1
    posted = session.scalars(select(Voucher).order_by(Voucher.id.desc())).first()
    assert posted.status == "posted" and posted.prepared_by.username == "finance-s0101"
    assert (posted.reviewed_by.username, posted.posted_by.username) == ("finance2-s0101", "finance3-s0101")
    assert run_job(job.id) == "done"  # redelivered: not redone
    assert session.scalar(select(func.count(Voucher.id))) == before + 1


def test_year_end_close_with_confirmation(fin, session, login_as):
    clerk, second, third = login_as("finance-s0101"), login_as("finance2-s0101"), login_as("finance3-s0101")
    book = fin.sibling_book
    page = clerk.get(f"/finance/books/{book.id}/year-end").get_data(as_text=True)
    assert "结转" in page and "财政收回" in page
    for voucher in session.scalars(select(Voucher).where(Voucher.book_id == book.id, Voucher.status != "posted")):
        session.delete(voucher)  # the world may leave payment requests open; the close needs none
    session.commit()
    response = clerk.post(f"/finance/books/{book.id}/year-end", data={
        "csrf_token": csrf_token(clerk, "/home"), "disposition": "carry_over"})
    assert response.status_code == 302
    job = session.scalars(select(Job).where(Job.kind == "finance.year_end")).one()
    second.post(f"/jobs/{job.id}/confirm", data={"csrf_token": csrf_token(second, "/home")})
    third.post(f"/jobs/{job.id}/confirm", data={"csrf_token": csrf_token(third, "/home")})
    assert run_job(job.id) == "done"
    session.expire_all()
    assert book.period(12).is_closed
    assert session.scalar(select(Book).where(Book.organisation_id == book.organisation_id,
                                             Book.fiscal_year == YEAR + 1)) is not None
    page = second.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Refresh" not in str(second.get(f"/jobs/{job.id}").headers)
