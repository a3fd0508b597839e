"""The district's evaluation pages: start, enter, finalise, and the filed table in Excel and PDF."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from ledger.organisations import by_code
from tests.app.conftest import csrf_token
from workflows.evaluation import Evaluation, EvaluationTemplate


def _evaluation(session, code="S0101") -> Evaluation:
    session.expire_all()
    return session.scalar(select(Evaluation).where(Evaluation.organisation_id == by_code(session, code).id))


def _enter(client, evaluation, item, **fields):
    data = {"csrf_token": csrf_token(client, "/home"), **{f"i{item.id}-{k}": v for k, v in fields.items()}}
    return client.post(f"/evaluation/{evaluation.id}/items/{item.id}", data=data, follow_redirects=True)


def test_the_district_completes_and_finalises_an_evaluation(world, session, login_as):
    client = login_as("oversight-d01")
    evaluation = _evaluation(session)
    page = client.get(f"/evaluation/{evaluation.id}").get_data(as_text=True)
    assert "预算执行数 218500.00 元" in page and "全年预算数 1200000.00 元" in page
    for item in evaluation.items:
        if item.source == "manual":
            _enter(client, evaluation, item, actual=item.target)
    evaluation = _evaluation(session)
    assert evaluation.total is not None and evaluation.grade in ("优", "良", "中", "差")
    response = client.post(f"/evaluation/{evaluation.id}/finalise",
                           data={"csrf_token": csrf_token(client, "/home")}, follow_redirects=True)
    assert "请说明以下指标的偏差原因" in response.get_data(as_text=True)
    assert _evaluation(session).status == "draft"
    for item in evaluation.items:
        if item.score is not None and item.score < item.weight:
            _enter(client, evaluation, item, shortfall_reason="年内资金到位后项目启动较晚。")
    client.post(f"/evaluation/{evaluation.id}/finalise", data={"csrf_token": csrf_token(client, "/home")})
    assert _evaluation(session).status == "final"


def test_a_computed_indicator_cannot_be_typed_over(world, session, login_as):
    client = login_as("oversight-d01")
    evaluation = _evaluation(session)
    _enter(client, evaluation, evaluation.items[0], actual="预算执行数 1 元")
    assert _evaluation(session).items[0].actual == "预算执行数 218500.00 元"


def test_the_excel_table_and_the_pdf_carry_the_page_figures(world, session, login_as):
    client = login_as("committee-s0101")
    evaluation = _evaluation(session)
    sheet = load_workbook(io.BytesIO(client.get(f"/evaluation/{evaluation.id}/self-evaluation.xlsx").data)).active
    assert sheet["A1"].value == "2026年度春华街道绩效自评表"
    assert [c.value for c in sheet[3]][:3] == ["一级指标", "二级指标", "三级指标"]
    assert Decimal(str(sheet["G4"].value)) == evaluation.items[0].score
    pdf = client.get(f"/evaluation/{evaluation.id}/report.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF") and b"STSong-Light" in pdf.data


def test_the_street_committee_reads_but_cannot_evaluate(world, session, login_as):
    client = login_as("committee-s0101")
    evaluation = _evaluation(session)
    assert client.get(f"/evaluation/{evaluation.id}").status_code == 200
    response = _enter(client, evaluation, evaluation.items[2], actual="合理")
    assert response.status_code == 403
    assert _evaluation(session).items[2].actual == ""


def test_starting_an_evaluation_from_the_form(world, session, login_as):
    client = login_as("oversight-d01")
    template = session.scalar(select(EvaluationTemplate).where(EvaluationTemplate.subject == "street_fund",
                                                               EvaluationTemplate.district_id == by_code(session, "D01").id))
    response = client.post("/evaluation/", data={
        "csrf_token": csrf_token(client, "/home"), "template": template.id,
        "organisation": by_code(session, "S0102").id, "project": 0, "year": 2026})
    assert response.status_code == 302
    assert _evaluation(session, "S0102").items[0].actual == "预算执行数 28650.50 元"
    foreign = client.post("/evaluation/", data={
        "csrf_token": csrf_token(client, "/home"), "template": template.id,
        "organisation": by_code(session, "XS0101").id, "project": 0, "year": 2026})
    assert foreign.status_code == 200 and _evaluation(session, "XS0101").organisation.code == "XS0101"
    assert len(session.scalars(select(Evaluation).where(
        Evaluation.organisation_id == by_code(session, "XS0101").id)).all()) == 1  # only the demo's own


def test_a_template_edit_with_wrong_weights_is_refused_and_a_good_one_is_a_new_version(world, session, login_as):
    client = login_as("oversight-d01")
    template = session.scalar(select(EvaluationTemplate).where(EvaluationTemplate.district_id == by_code(session, "D01").id,
                                                               EvaluationTemplate.subject == "street_fund"))
    page = client.get(f"/evaluation/templates/{template.id}").get_data(as_text=True)
    assert 'value="资金到位率"' in page and 'value="10.00"' in page
    rows = {}
    for n, row in enumerate(template.indicators):
        for key, value in row.items():
            rows[f"rows-{n}-{key}"] = value
    data = {"csrf_token": csrf_token(client, "/home"), "rounding": "truncate", "middle_band": "可", **rows}
    bad = client.post(f"/evaluation/templates/{template.id}", data={**data, "rows-0-weight": "5"})
    assert "权重合计为 95，必须等于 100" in bad.get_data(as_text=True)
    good = client.post(f"/evaluation/templates/{template.id}", data=data)
    assert good.status_code == 302
    session.expire_all()
    versions = session.scalars(select(EvaluationTemplate.version).where(EvaluationTemplate.name == template.name,
                                                                        EvaluationTemplate.district_id == template.district_id)).all()
    assert sorted(versions) == [1, 2]
