"""The OpenAPI 3.1 description of /api/v1, kept beside the routes (``blueprint.RULES``).

A test checks that every route of the blueprint is described here and that the document
validates; change both together.
"""

from __future__ import annotations

import copy

from ..routing import MAX_ID

AMOUNT = {"type": "string", "pattern": r"^-?[0-9]{1,16}\.[0-9]{2}$", "examples": ["1234.50"],
          "description": "An amount in CNY with exactly two decimals, as a string (never a JSON number)."}
AMOUNT_IN = {"type": "string", "pattern": r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$", "examples": ["1234.50"],
             "description": "An amount in CNY as a string with at most two decimals. "
                            "JSON numbers are refused with 422."}
RATE = {"type": ["string", "null"], "pattern": r"^[0-9]+(\.[0-9]+)?$", "examples": ["97.69"],
        "description": "A percentage as a string, rounded as asked; null when nothing was budgeted."}
DATE = {"type": "string", "format": "date", "pattern": "^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"}  # years 2000-2999
TIME = {"type": ["string", "null"], "format": "date-time"}
CODE = {"type": "string", "maxLength": 32}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: list[str] | None = None, closed: bool = True) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def _page(item: str) -> dict:
    return _object({
        "items": {"type": "array", "items": _ref(item)},
        "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 0},
    }, ["items", "page", "per_page", "total", "pages"])


SCHEMAS = {
    "Problem": _object({
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": _object({
            "field": {"type": "string", "description": "The field, header or parameter, e.g. lines[0].debit"},
            "message": {"type": "string"},
        }, ["field", "message"])},
    }, ["type", "title", "status", "detail"], closed=False),
    "Organisation": _object({
        "code": CODE, "name": {"type": "string"},
        "level": {"enum": ["city", "district", "street", "community"]},
        "parent": {"type": ["string", "null"]}, "active": {"type": "boolean"},
        "children": {"type": "array", "items": {"type": "string"}},
    }, ["code", "name", "level", "parent", "active"]),
    "Me": _object({
        "username": {"type": "string"}, "display_name": {"type": "string"},
        "token": _object({"id": {"type": "integer"}, "name": {"type": "string"}}),
        "roles": {"type": "array", "items": _object({
            "role": {"type": "string"}, "title": {"type": "string"}, "organisation": CODE,
            "actions": {"type": "array", "items": {"type": "string"}},
        })},
    }),
    "Token": _object({
        "id": {"type": "integer"}, "name": {"type": "string"},
        "prefix": {"type": "string", "description": "The first characters of the secret."},
        "created_at": TIME, "last_used_at": TIME, "expires_at": TIME, "revoked_at": TIME,
        "usable": {"type": "boolean"},
    }),
    "TokenList": _object({"items": {"type": "array", "items": _ref("Token")}}),
    "Book": _object({
        "id": {"type": "integer"}, "organisation": CODE, "organisation_name": {"type": "string"},
        "fiscal_year": {"type": "integer"}, "chart": {"type": "string"},
        "closed_months": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 12}},
    }),
    "VoucherLine": _object({
        "position": {"type": "integer"}, "account": {"type": "string"}, "account_name": {"type": "string"},
        "debit": AMOUNT, "credit": AMOUNT, "project": {"type": ["string", "null"]},
        "purpose": {"type": ["string", "null"]}, "source": {"type": ["string", "null"]},
        "memo": {"type": "string"},
    }),
    "Voucher": _object({
        "id": {"type": "integer"}, "book_id": {"type": "integer"}, "organisation": CODE,
        "fiscal_year": {"type": "integer"}, "number": {"type": ["integer", "null"]},
        "status": {"enum": ["draft", "reviewed", "posted"]}, "date": DATE,
        "period": {"type": "integer"}, "description": {"type": "string"},
        "idempotency_key": {"type": ["string", "null"]},
        "reverses_id": {"type": ["integer", "null"]}, "reversed_by_id": {"type": ["integer", "null"]},
        "prepared_by": {"type": "string"}, "prepared_at": TIME,
        "reviewed_by": {"type": ["string", "null"]}, "reviewed_at": TIME,
        "posted_by": {"type": ["string", "null"]}, "posted_at": TIME,
        "hash": {"type": ["string", "null"]}, "total_debit": AMOUNT, "total_credit": AMOUNT,
        "lines": {"type": "array", "items": _ref("VoucherLine")},
    }),
    "LineInput": _object({
        "account": {"type": "string", "maxLength": 32},
        "debit": AMOUNT_IN, "credit": AMOUNT_IN,
        "project": {"type": "string", "maxLength": 32, "description": "Project code of the book's community."},
        "purpose": {"type": "string", "maxLength": 32}, "source": {"type": "string", "maxLength": 32},
        "memo": {"type": "string", "maxLength": 200},
    }, ["account"]),
    "VoucherInput": _object({
        "date": DATE, "description": {"type": "string", "minLength": 1, "maxLength": 500},
        "lines": {"type": "array", "minItems": 2, "maxItems": 200, "items": _ref("LineInput")},
    }, ["date", "description", "lines"]),
    "ReversalInput": _object({"date": DATE, "description": {"type": "string", "maxLength": 500}}),
    "Empty": _object({}),
    "AllocationInput": _object({
        "source": {"type": "string", "examples": ["district", "city", "other"]}, "amount": AMOUNT_IN,
        "arrived_on": DATE, "reference": {"type": "string", "maxLength": 100},
        "date": {**DATE, "description": "Voucher date, when the arrival's period is closed."},
    }, ["source", "amount", "arrived_on"]),
    "Allocation": _object({
        "id": {"type": "integer"}, "book_id": {"type": "integer"}, "source": {"type": "string"},
        "amount": AMOUNT, "arrived_on": DATE, "reference": {"type": "string"},
        "recorded_by": {"type": "string"}, "recorded_at": TIME, "voucher": _ref("Voucher"),
    }),
    "Project": _object({
        "id": {"type": "integer"}, "code": {"type": "string"}, "title": {"type": "string"},
        "community": CODE, "community_name": {"type": "string"}, "project_type": {"type": "string"},
        "project_type_name": {"type": ["string", "null"]}, "purpose": {"type": "string"},
        "plan_year": {"type": "integer"}, "state": {"type": "string"}, "state_title": {"type": "string"},
        "state_since": TIME, "responsible_person": {"type": "string"},
        "expected_beneficiaries": {"type": "integer"}, "estimated_amount": AMOUNT,
        "approved_amount": _nullable(AMOUNT), "approved_at": TIME, "created_at": TIME,
        "emergency": {"type": "boolean"},
        "description": {"type": "string"},
        "budget": {"type": "array", "items": _object({"source": {"type": "string"}, "amount": AMOUNT})},
        "needs": {"type": "array", "items": {"type": "integer"}},
        "spent": AMOUNT,
        "history": {"type": "array", "items": _ref("ProjectEvent")},
    }),
    "ProjectEvent": _object({
        "at": TIME, "event": {"type": "string"}, "from_state": {"type": "string"},
        "to_state": {"type": "string"}, "role": {"type": "string"}, "actor": {"type": ["string", "null"]},
        "reason": {"type": "string"},
        "details": {"type": "object", "additionalProperties": {"type": "string"}},
    }),
    "NeedInput": _object({
        "channel": {"enum": ["hotline_12345", "visit", "suggestion_box", "wechat", "meeting", "online"]},
        "received_on": DATE, "category": {"type": "string", "maxLength": 64},
        "description": {"type": "string", "minLength": 1, "maxLength": 2000},
    }, ["channel", "received_on", "description"]),
    "Need": _object({
        "id": {"type": "integer"}, "community": CODE, "channel": {"type": "string"},
        "received_on": DATE, "category": {"type": "string"}, "description": {"type": "string"},
        "status": {"enum": ["open", "linked", "merged", "closed"]}, "supporters": {"type": "integer"},
        "merged_into_id": {"type": ["integer", "null"]}, "created_at": TIME,
    }),
    "TrialBalance": _object({
        "organisation": CODE, "fiscal_year": {"type": "integer"}, "basis": {"enum": ["financial", "budget"]},
        "from_month": {"type": "integer"}, "to_month": {"type": "integer"},
        "rows": {"type": "array", "items": _object({
            "account": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
            "opening_debit": AMOUNT, "opening_credit": AMOUNT, "debit": AMOUNT, "credit": AMOUNT,
            "closing_debit": AMOUNT, "closing_credit": AMOUNT,
        })},
        "totals": {"type": "object", "additionalProperties": AMOUNT},
        "balanced": {"type": "boolean"},
    }),
    "Execution": _object({
        "organisation": CODE, "fiscal_year": {"type": "integer"},
        "by": {"enum": ["level", "purpose", "source", "project"]}, "level": {"type": ["string", "null"]},
        "basis": {"enum": ["financial", "budget"]},
        "rounding": _object({"mode": {"enum": ["truncate", "half_up"]}, "places": {"type": "integer"}}),
        "as_of": {"type": ["string", "null"], "format": "date"},
        "rows": {"type": "array", "description": "One row per organisation, purpose, source or project. "
                 "Amount columns (allocated, arrived, spent, balance, approved) are strings with two "
                 "decimals; execution_rate, arrival_rate and share are percentages as strings.",
                 "items": {"type": "object", "additionalProperties": {"type": ["string", "integer", "null"]}}},
    }),
}
for _name in ("Organisation", "Book", "Voucher", "Project", "Need"):
    SCHEMAS[f"{_name}Page"] = _page(_name)


def _null_means_absent(schema: dict) -> None:
    """The API reads ``null`` in an optional field of a request as leaving it out: say so."""
    for name, prop in schema["properties"].items():
        if name in schema.get("required", ()):
            continue
        if isinstance(prop.get("type"), str):
            schema["properties"][name] = {**prop, "type": [prop["type"], "null"]}  # a copy: DATE is shared
        elif "enum" in prop:
            schema["properties"][name] = {**prop, "enum": [*prop["enum"], None]}


for _name in ("LineInput", "VoucherInput", "ReversalInput", "AllocationInput", "NeedInput"):
    _null_means_absent(SCHEMAS[_name])

PROBLEM_STATUSES = {
    400: "Malformed JSON, or a required header is missing.",
    401: "No token, or a token that is unknown, revoked, expired or of a disabled user. "
         "Browser cookies never authenticate the API.",
    403: "The token's roles do not allow this (or the same person may not prepare and review).",
    404: "No such resource, or it lies outside the token's organisations.",
    405: "Method not allowed on this URL.",
    409: "The Idempotency-Key was used with another body, or the resource's state forbids this.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "Invalid fields (each named in errors[]), or a refusal of the books or the process.",
    429: "Too many requests.",
}
RESPONSES = {
    str(status): {"description": text, "content": {"application/problem+json": {"schema": _ref("Problem")}}}
    for status, text in PROBLEM_STATUSES.items()
}
PARAMETERS = {
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    "code": {"name": "code", "in": "path", "required": True, "schema": CODE,
             "description": "Organisation code, e.g. Q010101."},
    "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": True,
                       "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,80}$"},
                       "description": "Any unique value per intended write (e.g. a UUID). The same key "
                                      "with the same body returns the same object (200); with another "
                                      "body, 409."},
    "AcceptLanguage": {"name": "Accept-Language", "in": "header", "schema": {"type": "string"},
                       "description": "zh for Chinese error messages; English otherwise."},
    "fiscal_year": {"name": "fiscal_year", "in": "query", "required": True,
                    "schema": {"type": "integer", "minimum": 2000, "maximum": 2999}},
    "basis": {"name": "basis", "in": "query", "schema": {"enum": ["financial", "budget"]}},
}


def _param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _query(name: str, schema: dict, description: str = "") -> dict:
    param = {"name": name, "in": "query", "schema": schema}
    if description:
        param["description"] = description
    return param


def _op(operation_id: str, summary: str, ok: dict, parameters=(), body: str | None = None,
        errors=(400, 401, 403, 404, 405, 413, 415, 422, 429), tags=("books",), security=True) -> dict:
    operation = {
        "operationId": operation_id, "summary": summary, "tags": list(tags),
        "parameters": [*parameters, _param("AcceptLanguage")],
        "responses": {**ok, **{str(s): {"$ref": f"#/components/responses/{s}"} for s in errors}},
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    if not security:
        operation["security"] = []
    return operation


def _ok(schema: str, status: int = 200, description: str = "OK") -> dict:
    return {str(status): {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}}


def _created(schema: str) -> dict:
    """201 for the first request and for its replays (the same Idempotency-Key and body),
    which answer as the first did and carry ``Idempotent-Replayed: true``."""
    created = _ok(schema, 201, "Created; or, with `Idempotent-Replayed: true`, the object the same request "
                               "made before with this Idempotency-Key")
    created["201"]["headers"] = {"Idempotent-Replayed": {
        "description": "`true` when this answer repeats the first answer to the same request",
        "schema": {"type": "string", "enum": ["true"]}}}
    return created


PAGING = (_param("page"), _param("per_page"))
READ = (400, 401, 403, 404, 405, 422, 429)

PATHS = {
    "/api/v1/openapi.json": {"get": _op("openapi", "This document.", {"200": {
        "description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}},
        errors=(405, 429), tags=("meta",), security=False)},
    "/api/v1/me": {"get": _op("me", "The token's user and roles.", _ok("Me"), errors=READ, tags=("meta",))},
    "/api/v1/tokens": {"get": _op("tokens", "The user's tokens (secrets are never shown again).",
                                  _ok("TokenList"), errors=READ, tags=("meta",))},
    "/api/v1/tokens/{token_id}/revoke": {"post": _op(
        "revoke_token", "Revoke one of the user's tokens.", _ok("Token"), [_id("token_id")],
        tags=("meta",))},
    "/api/v1/organisations": {"get": _op(
        "organisations", "Organisations the token may see.", _ok("OrganisationPage"),
        [*PAGING, _query("level", {"enum": ["city", "district", "street", "community"]})],
        errors=READ, tags=("organisations",))},
    "/api/v1/organisations/{code}": {"get": _op(
        "organisation", "One organisation and its children's codes.", _ok("Organisation"),
        [_param("code")], errors=READ, tags=("organisations",))},
    "/api/v1/organisations/{code}/needs": {
        "get": _op("needs", "The community's needs pool, newest first.", _ok("NeedPage"),
                   [_param("code"), *PAGING,
                    _query("status", {"enum": ["open", "linked", "merged", "closed"]})],
                   errors=READ, tags=("projects",)),
        "post": _op("create_need", "Add a need to the community's pool (community.work).",
                    _created("Need"), [_param("code"), {**PARAMETERS["IdempotencyKey"], "required": False}],
                    "NeedInput", errors=(400, 401, 403, 404, 405, 409, 413, 415, 422, 429), tags=("projects",)),
    },
    "/api/v1/organisations/{code}/trial-balance": {"get": _op(
        "trial_balance", "Trial balance (试算平衡表) of every book at or below the organisation.",
        _ok("TrialBalance"),
        [_param("code"), _param("fiscal_year"), _param("basis"),
         _query("from_month", {"type": "integer", "minimum": 1, "maximum": 12, "default": 1}),
         _query("to_month", {"type": "integer", "minimum": 1, "maximum": 12, "default": 12})],
        errors=READ, tags=("reports",))},
    "/api/v1/organisations/{code}/execution": {"get": _op(
        "execution", "Budget execution (预算执行) by level, purpose, funding source or project.",
        _ok("Execution"),
        [_param("code"), _param("fiscal_year"), _param("basis"),
         _query("by", {"enum": ["level", "purpose", "source", "project"], "default": "level"}),
         _query("level", {"enum": ["city", "district", "street", "community"], "default": "community"},
                "With by=level: the level of the rows."),
         _query("rounding", {"enum": ["truncate", "half_up"], "default": "truncate"},
                "How rates are rounded (evaluations truncate)."),
         _query("places", {"type": "integer", "minimum": 0, "maximum": 6, "default": 2}),
         _query("as_of", DATE, "Only money and postings up to this date.")],
        errors=READ, tags=("reports",))},
    "/api/v1/books": {"get": _op(
        "books", "Books the token may read.", _ok("BookPage"),
        [*PAGING, _query("organisation", CODE, "Books at or below this organisation."),
         _query("fiscal_year", {"type": "integer", "minimum": 2000, "maximum": 2999})], errors=READ)},
    "/api/v1/books/{book_id}": {"get": _op("book", "One book.", _ok("Book"), [_id("book_id")], errors=READ)},
    "/api/v1/books/{book_id}/vouchers": {
        "get": _op("vouchers", "The book's vouchers by date.", _ok("VoucherPage"),
                   [_id("book_id"), *PAGING, _query("status", {"enum": ["draft", "reviewed", "posted"]}),
                    _query("from", DATE), _query("to", DATE)], errors=READ),
        "post": _op("create_voucher", "Prepare a draft voucher (制单) with its lines (books.post).",
                    _created("Voucher"), [_id("book_id"), _param("IdempotencyKey")], "VoucherInput",
                    errors=(400, 401, 403, 404, 405, 409, 413, 415, 422, 429)),
    },
    "/api/v1/books/{book_id}/allocations": {"post": _op(
        "create_allocation", "Record an allocation (拨款) and prepare its voucher (books.post).",
        _created("Allocation"), [_id("book_id"), _param("IdempotencyKey")], "AllocationInput",
        errors=(400, 401, 403, 404, 405, 409, 413, 415, 422, 429))},
    "/api/v1/vouchers/{voucher_id}": {"get": _op(
        "voucher", "One voucher with its lines.", _ok("Voucher"), [_id("voucher_id")], errors=READ)},
    "/api/v1/vouchers/{voucher_id}/review": {"post": _op(
        "review_voucher", "Review (审核) a draft; not by its preparer.", _ok("Voucher"), [_id("voucher_id")],
        errors=(400, 401, 403, 404, 405, 409, 413, 415, 422, 429))},
    "/api/v1/vouchers/{voucher_id}/post": {"post": _op(
        "post_voucher", "Post (记账) a reviewed voucher: numbered and never changed again.", _ok("Voucher"),
        [_id("voucher_id")], errors=(400, 401, 403, 404, 405, 409, 413, 415, 422, 429))},
    "/api/v1/vouchers/{voucher_id}/reverse": {"post": _op(
        "reverse_voucher", "Prepare the reversal (红字冲销) of a posted voucher as a new draft.",
        _created("Voucher"), [_id("voucher_id"), {**PARAMETERS["IdempotencyKey"], "required": False}],
        errors=(400, 401, 403, 404, 405, 409, 413, 415, 422, 429))},
    "/api/v1/projects": {"get": _op(
        "projects", "Projects the token may see.", _ok("ProjectPage"),
        [*PAGING, _query("organisation", CODE), _query("state", {"type": "string"}),
         _query("plan_year", {"type": "integer", "minimum": 2000, "maximum": 2999})],
        errors=READ, tags=("projects",))},
    "/api/v1/projects/{project_id}": {"get": _op(
        "project", "One project with its budget, needs, spending and history.", _ok("Project"),
        [_id("project_id")], errors=READ, tags=("projects",))},
    "/api/v1/needs/{need_id}": {"get": _op(
        "need", "One need.", _ok("Need"), [_id("need_id")], errors=READ, tags=("projects",))},
}
# Bodies that are optional: review, post, revoke take none (or {}), reverse an optional object.
for _path, _schema in (("/api/v1/vouchers/{voucher_id}/review", "Empty"), ("/api/v1/vouchers/{voucher_id}/post", "Empty"),
                       ("/api/v1/tokens/{token_id}/revoke", "Empty"),
                       ("/api/v1/vouchers/{voucher_id}/reverse", "ReversalInput")):
    PATHS[_path]["post"]["requestBody"] = {
        "required": False, "content": {"application/json": {"schema": _ref(_schema)}}}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Community service funds API",
        "version": "1.0.0",
        "description": (
            "JSON API for finance software: the books, vouchers, allocations, projects, needs and "
            "reports of the community service funds (社区党组织服务群众经费). Authenticate with "
            "`Authorization: Bearer <token>` (made with `flask api-token create`); the token acts with "
            "its user's roles over its user's organisations, and anything outside them answers 404. "
            "Amounts are strings with two decimals. Errors are application/problem+json (RFC 9457)."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}],
    "tags": [{"name": n} for n in ("meta", "organisations", "books", "projects", "reports")],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "parameters": PARAMETERS,
    },
}


def document() -> dict:
    """A copy of the document, safe for a caller to change."""
    return copy.deepcopy(DOCUMENT)
