"""The OpenAPI document: it validates, it describes every route, and the answers match it."""

from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from app.api.openapi import document
from tests.app.test_api_world import api_world, client  # noqa: F401  (fixtures)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_document_validates(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    body = served.get_json()
    assert body["openapi"] == "3.1.0"
    validate(body)


def test_every_api_route_is_described(app):
    doc = document()
    described = {(path, method) for path, item in doc["paths"].items() for method in item}
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - described == set(), "describe these routes in app/api/openapi.py"
    assert described - routes == set(), "these described routes do not exist"
    operation_ids = {
        op["operationId"] for item in doc["paths"].values() for op in item.values()
    }
    endpoints = {rule.endpoint.removeprefix("api.") for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("api.")}
    assert operation_ids == endpoints


def test_every_operation_describes_its_errors_as_problems():
    doc = document()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            errors = [s for s in operation["responses"] if s.startswith(("4", "5"))]
            assert errors, (path, method)
            for status in errors:
                ref = operation["responses"][status]["$ref"]
                content = doc["components"]["responses"][ref.rsplit("/", 1)[1]]["content"]
                assert list(content) == ["application/problem+json"]


def _schema_of(doc, path: str, method: str, status: str) -> dict:
    response = doc["paths"][path][method]["responses"][status]
    return {**response["content"]["application/json"]["schema"], "components": doc["components"]}


@pytest.mark.parametrize("url,path,username", [
    ("/api/v1/me", "/api/v1/me", "finance-s0101"),
    ("/api/v1/tokens", "/api/v1/tokens", "finance-s0101"),
    ("/api/v1/organisations", "/api/v1/organisations", "finance-s0101"),
    ("/api/v1/organisations/Q010101", "/api/v1/organisations/{code}", "finance-s0101"),
    ("/api/v1/organisations/Q010101/needs", "/api/v1/organisations/{code}/needs", "secretary-q010101"),
    ("/api/v1/books", "/api/v1/books", "finance-s0101"),
    ("/api/v1/books/{Q010101}", "/api/v1/books/{book_id}", "finance-s0101"),
    ("/api/v1/books/{Q010101}/vouchers", "/api/v1/books/{book_id}/vouchers", "finance-s0101"),
    ("/api/v1/vouchers/{v}", "/api/v1/vouchers/{voucher_id}", "finance-s0101"),
    ("/api/v1/projects", "/api/v1/projects", "committee-s0101"),
    ("/api/v1/projects/{p}", "/api/v1/projects/{project_id}", "committee-s0101"),
    ("/api/v1/needs/{n}", "/api/v1/needs/{need_id}", "committee-s0101"),
    ("/api/v1/organisations/S0101/trial-balance?fiscal_year=2026",
     "/api/v1/organisations/{code}/trial-balance", "oversight-d01"),
    ("/api/v1/organisations/D01/execution?fiscal_year=2026&by=project",
     "/api/v1/organisations/{code}/execution", "oversight-d01"),
])
def test_answers_match_the_document(api_world, client, url, path, username):
    url = url.format(Q010101=api_world.books["Q010101"], v=api_world.vouchers["Q010101"],
                     p=api_world.projects["Q010101"], n=api_world.needs["Q010101"])
    response = client.get(url, headers=api_world.headers(username))
    assert response.status_code == 200, response.get_json()
    OAS31Validator(_schema_of(document(), path, "get", "200")).validate(response.get_json())


def test_problems_match_the_document(api_world, client):
    doc = document()
    schema = {"$ref": "#/components/schemas/Problem", "components": doc["components"]}
    response = client.post(f"/api/v1/books/{api_world.books['Q010101']}/vouchers", json={"lines": 1},
                           headers=api_world.headers("finance-s0101", **{"Idempotency-Key": "x"}))
    assert response.status_code == 422
    OAS31Validator(schema).validate(response.get_json())
