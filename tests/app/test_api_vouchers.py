"""Vouchers, allocations, needs, projects and reports through the API; idempotency and validation."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.vouchers import Voucher
from tests.app.test_api_auth import assert_problem
from tests.app.test_api_world import api_world, client  # noqa: F401  (fixtures)
from tests.parallel import run_together

AMOUNT = re.compile(r"^-?[0-9]+\.[0-9]{2}$")


def payment(amount: str = "1234.50", description: str = "支付 楼道照明材料费") -> dict:
    return {
        "date": "2026-03-15", "description": description,
        "lines": [
            {"account": "5001", "debit": amount, "project": "LP1", "source": "district"},
            {"account": "1011", "credit": amount, "project": "LP1", "source": "district"},
            {"account": "7101", "debit": amount, "project": "LP1", "source": "district"},
            {"account": "8001", "credit": amount, "project": "LP1", "source": "district"},
        ],
    }


def create(client, world, body, key="k-1", username="finance-s0101", book="Q010101", **headers):
    return client.post(f"/api/v1/books/{world.books[book]}/vouchers", json=body,
                       headers=world.headers(username, **{"Idempotency-Key": key}, **headers))


def count_vouchers(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Voucher.id)))


def amounts_are_strings(value) -> None:
    """Every amount-like field anywhere in ``value`` is a string with two decimals."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"debit", "credit", "amount", "total_debit", "total_credit", "allocated", "arrived",
                       "spent", "balance", "approved", "estimated_amount", "opening_debit",
                       "opening_credit", "closing_debit", "closing_credit"} and item is not None:
                assert isinstance(item, str) and AMOUNT.match(item), (key, item)
            amounts_are_strings(item)
    elif isinstance(value, list):
        for item in value:
            amounts_are_strings(item)
    else:
        assert not isinstance(value, float), value


# ---- the voucher's life -----------------------------------------------------------------

def test_prepare_review_post_and_reverse_a_voucher(api_world, client):
    response = create(client, api_world, payment())
    assert response.status_code == 201, response.get_json()
    voucher = response.get_json()
    assert voucher["status"] == "draft" and voucher["idempotency_key"] == "k-1"
    assert response.headers["Location"] == f"/api/v1/vouchers/{voucher['id']}"
    assert [line["debit"] for line in voucher["lines"]] == ["1234.50", "0.00", "1234.50", "0.00"]
    amounts_are_strings(voucher)

    url = f"/api/v1/vouchers/{voucher['id']}"
    body = assert_problem(client.post(url + "/review", headers=api_world.headers("finance-s0101")), 403)
    assert "finance-s0101" in body["detail"]  # the preparer may not review their own voucher
    assert_problem(client.post(url + "/post", headers=api_world.headers("finance2-s0101")), 409)  # not reviewed
    reviewed = client.post(url + "/review", headers=api_world.headers("finance2-s0101"))
    assert reviewed.status_code == 200 and reviewed.get_json()["status"] == "reviewed"
    body = assert_problem(client.post(url + "/post", headers=api_world.headers("finance2-s0101"), json={}), 403)
    assert "finance2-s0101" in body["detail"]  # the reviewer may not post what they reviewed
    posted = client.post(url + "/post", headers=api_world.headers("finance3-s0101"), json={})
    assert posted.status_code == 200
    assert posted.get_json()["status"] == "posted" and posted.get_json()["number"] == 2  # after the allocation
    assert_problem(client.post(url + "/review", headers=api_world.headers("finance2-s0101")), 409)

    reversal = client.post(url + "/reverse", headers=api_world.headers("finance-s0101"))
    assert reversal.status_code == 201
    mirrored = reversal.get_json()
    assert mirrored["reverses_id"] == voucher["id"] and mirrored["status"] == "draft"
    assert [line["credit"] for line in mirrored["lines"]] == ["1234.50", "0.00", "1234.50", "0.00"]
    again = client.post(url + "/reverse", headers=api_world.headers("finance-s0101"))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"  # as the first, a replay
    assert again.get_json()["id"] == mirrored["id"] and "Idempotent-Replayed" not in reversal.headers
    assert client.get(url, headers=api_world.headers("oversight-d01")).get_json()["reversed_by_id"] == mirrored["id"]
    draft = f"/api/v1/vouchers/{mirrored['id']}"
    assert_problem(client.post(draft + "/reverse", headers=api_world.headers("finance-s0101")), 409)


def test_the_same_key_and_body_return_the_same_voucher(api_world, client, session):
    first = create(client, api_world, payment(), key="retry-me")
    before = count_vouchers(session)
    second = create(client, api_world, payment(), key="retry-me")
    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers and second.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == second.get_json()["id"]
    assert count_vouchers(session) == before


def test_the_same_key_with_another_body_is_a_conflict(api_world, client, session):
    assert create(client, api_world, payment("10.00"), key="once").status_code == 201
    before = count_vouchers(session)
    body = assert_problem(create(client, api_world, payment("20.00"), key="once"), 409)
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert count_vouchers(session) == before
    assert create(client, api_world, payment("20.00"), key="twice").status_code == 201


def test_keys_are_per_book_and_cannot_reach_the_closing_keys(api_world, client):
    assert create(client, api_world, payment(), key="closing:2026").status_code == 201
    assert create(client, api_world, payment(), key="closing:2026", book="Q010102").status_code == 201
    body = client.get(f"/api/v1/books/{api_world.books['Q010101']}/vouchers?status=draft",
                      headers=api_world.headers("finance-s0101")).get_json()
    assert body["items"][0]["idempotency_key"] == "closing:2026"


def test_an_idempotency_key_is_required(api_world, client):
    response = client.post(f"/api/v1/books/{api_world.books['Q010101']}/vouchers", json=payment(),
                           headers=api_world.headers("finance-s0101"))
    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert_problem(create(client, api_world, payment(), key="has space"), 400)


def test_listing_vouchers_pages_through_them(api_world, client):
    for n in range(3):
        assert create(client, api_world, payment(f"{n + 1}.00"), key=f"page-{n}").status_code == 201
    url = f"/api/v1/books/{api_world.books['Q010101']}/vouchers"
    headers = api_world.headers("secretary-q010101")
    first = client.get(url + "?per_page=2", headers=headers).get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (4, 2, 2)
    second = client.get(url + "?per_page=2&page=2", headers=headers).get_json()
    assert len(second["items"]) == 2
    assert client.get(url + "?status=posted", headers=headers).get_json()["total"] == 1
    amounts_are_strings(first)
    body = assert_problem(client.get(url + "?per_page=1000", headers=headers), 422)
    assert body["errors"][0]["field"] == "per_page"
    body = assert_problem(client.get(url + "?page=abc&sort=x", headers=headers), 422)
    assert {e["field"] for e in body["errors"]} == {"page", "sort"}


# ---- validation -------------------------------------------------------------------------

def fields(response) -> set[str]:
    return {e["field"] for e in assert_problem(response, 422)["errors"]}


def test_float_amounts_are_refused_with_a_hint(api_world, client):
    body = payment()
    body["lines"][0]["debit"] = 1234.5
    response = create(client, api_world, body)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "lines[0].debit"
    assert "string" in problem["errors"][0]["message"]
    body["lines"][0]["debit"] = 1234
    assert fields(create(client, api_world, body, key="k-2")) == {"lines[0].debit"}


def test_raw_json_oddities_never_reach_the_books(api_world, client, session):
    url = f"/api/v1/books/{api_world.books['Q010101']}/vouchers"
    headers = api_world.headers("finance-s0101", **{"Idempotency-Key": "raw", "Content-Type": "application/json"})
    before = count_vouchers(session)
    line = '{"account": "5001", "debit": %s}'
    cases = {
        '{"date": "2026-03-15", "description": "x", "lines": [%s, %s]}' % (line % "NaN", line % "Infinity"): 422,
        '{"date": "2026-03-15", "description": "x", "lines": [%s, %s]}' % (line % "1e400", line % ("9" * 5000)): 400,
        '{"date": "2026-03-15", "description": "x", "lines": [%s, %s]}' % (line % '"1e5"', line % '"0.001"'): 422,
        '{"date": "2026-03-15", "description": "x", "lines": [%s, %s]}' % (
            line % '"99999999999999999.00"', line % '"-0"'): 422,
        "[" * 100000 + "]" * 100000: 400,
        '{"date": "2026-03-15",': 400,
        "\xff\xfe": 400,
        "[]": 422,
        '"text"': 422,
        "null": 422,
    }
    for raw, status in cases.items():
        assert_problem(client.post(url, data=raw.encode("utf-8", "surrogateescape"), headers=headers), status)
    assert count_vouchers(session) == before


def test_missing_extra_and_mistyped_fields_are_named(api_world, client):
    assert fields(create(client, api_world, {"lines": []})) == {"date", "description", "lines"}
    body = {**payment(), "approved": True}
    body["lines"][1]["colour"] = "red"
    assert fields(create(client, api_world, body)) == {"approved", "lines[1].colour"}
    body = {"date": "15/03/2026", "description": 7, "lines": [{"account": 5001}, "x"]}
    assert fields(create(client, api_world, body)) == {"date", "description", "lines[0].account", "lines[1]"}
    assert fields(create(client, api_world, {**payment(), "date": "2026-02-30"})) == {"date"}
    assert fields(create(client, api_world, {**payment(), "description": "x" * 501})) == {"description"}


def test_the_books_refusals_name_the_field(api_world, client):
    body = payment()
    body["lines"][1]["credit"] = "1000.00"
    problem = assert_problem(create(client, api_world, body), 422)
    assert problem["detail"] and problem["errors"][0]["field"]
    body = payment()
    body["lines"][0]["account"] = "9999"
    problem = assert_problem(create(client, api_world, body, key="k-acc"), 422)
    assert problem["errors"][0]["field"] == "lines[0].account"
    assert "9999" in problem["errors"][0]["message"]
    problem = assert_problem(create(client, api_world, {**payment(), "date": "2025-12-31"}, key="k-year"), 422)
    assert problem["errors"][0]["field"] == "date"


def test_refusals_in_chinese(api_world, client):
    body = payment()
    body["lines"][0]["account"] = "9999"
    problem = assert_problem(create(client, api_world, body, **{"Accept-Language": "zh"}), 422)
    assert re.search(r"[\u4e00-\u9fff]", problem["errors"][0]["message"])
    body["lines"][0]["debit"] = 1.5
    problem = assert_problem(create(client, api_world, body, **{"Accept-Language": "zh"}), 422)
    assert re.search(r"[\u4e00-\u9fff]", problem["errors"][0]["message"])


def test_not_json_is_415_and_too_large_is_413(api_world, app, client):
    url = f"/api/v1/books/{api_world.books['Q010101']}/vouchers"
    headers = api_world.headers("finance-s0101", **{"Idempotency-Key": "k"})
    assert_problem(client.post(url, data="date=2026-03-15", headers=headers,
                               content_type="application/x-www-form-urlencoded"), 415)
    app.config["API_MAX_BODY"] = 1000
    assert_problem(client.post(url, json={**payment(), "description": "长" * 2000}, headers=headers), 413)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
line_like = st.fixed_dictionaries({}, optional={
    "account": st.sampled_from(["5001", "1011", "7101", "8001", "", "x"]) | json_values,
    "debit": st.sampled_from(["1.00", "0", "-1", "abc", "1e3"]) | json_values,
    "credit": st.sampled_from(["1.00", "0.00"]) | json_values,
    "project": st.sampled_from(["LP1", "NOPE"]) | json_values,
    "source": st.sampled_from(["district", "city", "nope"]) | json_values,
    "purpose": json_values, "memo": json_values,
})
voucher_like = st.fixed_dictionaries({}, optional={
    "date": st.sampled_from(["2026-03-15", "2026-13-01", "2025-01-01", ""]) | json_values,
    "description": st.text(max_size=30) | json_values,
    "lines": st.lists(line_like | json_values, max_size=5) | json_values,
}) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=voucher_like, key=st.uuids())
def test_random_bodies_never_cause_a_server_error(api_world, client, body, key):
    raw = json.dumps(body, allow_nan=True)
    response = client.post(f"/api/v1/books/{api_world.books['Q010101']}/vouchers", data=raw,
                           headers=api_world.headers("finance-s0101", **{"Idempotency-Key": str(key)}),
                           content_type="application/json")
    assert response.status_code in (200, 201, 400, 409, 422), (response.status_code, raw)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


# ---- allocations, needs, projects, reports ----------------------------------------------

def test_an_allocation_is_recorded_once_per_key(api_world, client, session):
    url = f"/api/v1/books/{api_world.books['Q010101']}/allocations"
    body = {"source": "city", "amount": "100000.00", "arrived_on": "2026-04-02", "reference": "市财〔2026〕12号"}
    headers = api_world.headers("finance-s0101", **{"Idempotency-Key": "alloc-1"})
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    allocation = first.get_json()
    assert allocation["amount"] == "100000.00" and allocation["voucher"]["status"] == "draft"
    amounts_are_strings(allocation)
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == allocation["id"]
    assert_problem(client.post(url, json={**body, "amount": "1.00"}, headers=headers), 409)
    assert fields(client.post(url, json={**body, "source": "moon"}, headers=api_world.headers(
        "finance-s0101", **{"Idempotency-Key": "alloc-2"}))) == {"source"}
    assert fields(client.post(url, json={**body, "amount": "-5.00"}, headers=api_world.headers(
        "finance-s0101", **{"Idempotency-Key": "alloc-3"}))) == {"amount"}
    before = session.scalar(select(func.count(Voucher.id)))
    for n, amount in enumerate(("9999999999999999.99", "1000000000.00", "1e15")):
        too_large = client.post(url, json={**body, "amount": amount}, headers=api_world.headers(
            "finance-s0101", **{"Idempotency-Key": f"alloc-big-{n}"}))
        assert too_large.status_code == 422 and fields(too_large) == {"amount"}, (amount, too_large.get_json())
    assert session.scalar(select(func.count(Voucher.id))) == before  # nothing half-made


def test_a_secretary_adds_a_need_once_per_key(api_world, client):
    url = "/api/v1/organisations/Q010101/needs"
    body = {"channel": "hotline_12345", "received_on": "2026-02-01", "category": "环境", "description": "垃圾清运不及时"}
    headers = api_world.headers("secretary-q010101", **{"Idempotency-Key": "need-1"})
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert_problem(client.post(url, json={**body, "description": "别的"}, headers=headers), 409)
    assert fields(client.post(url, json={**body, "channel": "pigeon"}, headers=api_world.headers(
        "secretary-q010101"))) == {"channel"}
    assert_problem(client.post(url, json=body, headers=api_world.headers("finance-s0101")), 403)
    assert_problem(client.post("/api/v1/organisations/Q010102/needs", json=body,
                               headers=api_world.headers("secretary-q010101")), 404)
    listed = client.get(url, headers=api_world.headers("committee-s0101")).get_json()
    assert listed["total"] == 2


def test_projects_with_their_history(api_world, client):
    headers = api_world.headers("committee-s0101")
    listed = client.get("/api/v1/projects", headers=headers).get_json()
    assert sorted(p["community"] for p in listed["items"]) == ["Q010101", "Q010102"]
    assert client.get("/api/v1/projects?organisation=Q010101&state=drafting",
                      headers=headers).get_json()["total"] == 1
    project = client.get(f"/api/v1/projects/{api_world.projects['Q010101']}", headers=headers).get_json()
    assert project["state"] == "drafting" and project["estimated_amount"] == "6000.00"
    assert [(e["event"], e["actor"]) for e in project["history"]] == [("draft", "secretary-q010101")]
    assert project["needs"] == [api_world.needs["Q010101"]]
    amounts_are_strings(project)
    assert_problem(client.get(f"/api/v1/projects/{api_world.projects['Q010102']}",
                              headers=api_world.headers("secretary-q010101")), 404)


def test_trial_balance_as_json(api_world, client):
    response = client.get("/api/v1/organisations/S0101/trial-balance?fiscal_year=2026",
                          headers=api_world.headers("oversight-d01"))
    report = response.get_json()
    assert response.status_code == 200 and report["balanced"]
    assert {row["account"] for row in report["rows"]} == {"1011", "4001"}
    assert report["totals"]["debit"] == "400000.00"
    amounts_are_strings(report)
    budget = client.get("/api/v1/organisations/Q010101/trial-balance?fiscal_year=2026&basis=budget&to_month=3",
                        headers=api_world.headers("secretary-q010101")).get_json()
    assert {row["account"] for row in budget["rows"]} == {"6001", "8001"}
    problem = assert_problem(client.get("/api/v1/organisations/S0101/trial-balance?fiscal_year=2026&from_month=5"
                                        "&to_month=2", headers=api_world.headers("oversight-d01")), 422)
    assert problem["errors"][0]["field"] == "months"
    assert fields(client.get("/api/v1/organisations/S0101/trial-balance",
                             headers=api_world.headers("oversight-d01"))) == {"fiscal_year"}


@pytest.mark.parametrize("by", ["level", "purpose", "source", "project"])
def test_execution_reports_as_json(api_world, client, by):
    headers = api_world.headers("oversight-d01")
    response = client.get(f"/api/v1/organisations/D01/execution?fiscal_year=2026&by={by}&rounding=half_up&places=1",
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["rounding"] == {"mode": "half_up", "places": 1}
    amounts_are_strings(report)
    if by == "level":
        rows = {row["organisation"]: row for row in report["rows"]}
        assert set(rows) == {"Q010101", "Q010102", "Q010201"}
        assert rows["Q010101"]["arrived"] == "200000.00" and rows["Q010101"]["arrival_rate"] == "100.0"
        assert rows["Q010201"]["arrived"] == "0.00"  # its allocation is not posted yet


def test_execution_parameters_are_checked(api_world, client):
    headers = api_world.headers("oversight-d01")
    base = "/api/v1/organisations/Q010101/execution?fiscal_year=2026"
    assert fields(client.get(base + "&rounding=up&places=9", headers=headers)) == {"rounding", "places"}
    assert fields(client.get(base + "&level=district", headers=headers)) == {"level"}
    assert fields(client.get(base + "&as_of=yesterday", headers=headers)) == {"as_of"}


@pytest.mark.postgres
@pytest.mark.concurrent
def test_twenty_parallel_copies_of_one_request_make_one_voucher_and_answer_alike(api_world, app, session):
    """A client that lost its connection retries with the same key while the first is still
    running: one voucher, every answer 201 with it, and all but one say they are replays."""
    def send(n: int, ready) -> tuple:
        client = app.test_client()
        ready()
        response = create(client, api_world, payment(), key="parallel-1")
        return response.status_code, response.get_json()["id"], response.headers.get("Idempotent-Replayed")

    answers = run_together(20, send).values()
    assert {status for status, _, _ in answers} == {201} and len({vid for _, vid, _ in answers}) == 1
    assert [replay for _, _, replay in answers].count(None) == 1  # the one that made it
    session.expire_all()
    assert session.scalar(select(func.count(Voucher.id)).where(Voucher.idempotency_key == "api:parallel-1")) == 1
