"""Schemathesis against the served OpenAPI document: thousands of generated requests, no 500.

The document is loaded from ``/api/v1/openapi.json`` of the running (in-process WSGI)
application, and every operation it describes gets positive cases (valid by the document)
and negative cases (each breaking it somewhere), half of them aimed at objects that exist
in the caller's community, so the requests reach the validation and the cores rather
than stopping at a 404. Every answer must conform to the document (status, media type,
schema); every refusal must be a 4xx ``application/problem+json`` that names the field at
fault when a field is at fault. The number of requests actually sent is counted.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.auths import AuthStorage
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, response_schema_conformance,
    status_code_conformance,
)

from app.api.tokens import issue_token
from tests.app.conftest import app  # noqa: F401  (fixture)
from tests.app.test_api_world import build_api_world, user

#: Generated requests per operation and generation mode; 22 operations × 2 modes × 125 = 5,500 ≥ 5,000.
import os
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "125"))
MINIMUM_REQUESTS = 5000
#: Whose token calls which operation: the community's secretary adds needs, street finance the rest.
CALLER = {"create_need": "secretary-q010101", "needs": "secretary-q010101"}
DEFAULT_CALLER = "finance-s0101"
#: Problems that are about one field (or header, or parameter) must name it in ``errors``.
FIELD_PROBLEMS = {"validation", "missing-header", "idempotency-conflict"}


class Tokens:
    """A live token per caller; a token the fuzzer revoked (POST /tokens/{id}/revoke) is replaced."""

    def __init__(self, session):
        self.session = session
        self.secrets: dict[str, str] = {}

    def secret(self, username: str) -> str:
        if username not in self.secrets:
            _, self.secrets[username] = issue_token(self.session, user(self.session, username), "schemathesis")
            self.session.commit()
        return self.secrets[username]

    def storage(self, username: str) -> AuthStorage:
        """Schemathesis's auth for the caller: the header is set, never generated nor broken."""
        tokens = self

        class Bearer:
            def get(self, case, context):
                return tokens.secret(username)

            def set(self, case, data, context):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

        storage = AuthStorage()
        storage.auth(refresh_interval=None)(Bearer)
        return storage

    def forget(self, username: str) -> None:
        self.secrets.pop(username, None)


def _problem_checks(case, response) -> None:
    """Every refusal is a problem document; field problems name their fields."""
    status = response.status_code
    assert status < 500, f"{case.method} {case.formatted_path} answered {status}"
    if status < 400:
        return
    media = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
    assert media.startswith("application/problem+json"), (status, media)
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["detail"], body
    slug = body["type"].rsplit(":", 1)[-1]
    if slug in FIELD_PROBLEMS:
        fields = [e["field"] for e in body.get("errors", [])]
        assert fields and all(isinstance(f, str) for f in fields), f"{slug} without the field at fault: {body}"


def _targets(world) -> dict:
    """Path parameters naming objects that exist in the callers' own community."""
    return {"book_id": world.books["Q010101"], "voucher_id": world.vouchers["Q010101"],
            "project_id": world.projects["Q010101"], "need_id": world.needs["Q010101"],
            "code": "Q010101", "token_id": 1}


def test_generated_requests_never_fail_the_server(app, session):  # noqa: F811
    world = build_api_world(session)
    app.config["API_RATE_LIMIT"] = "1000000 per minute"  # the fuzzer is one client sending thousands
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens = Tokens(session)
    targets = _targets(world)
    sent = {"total": 0}
    failures = []
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance, negative_data_rejection]

    for result in schema.get_all_operations():
        operation = result.ok()
        endpoint = operation.definition.raw["operationId"]
        caller = CALLER.get(endpoint, DEFAULT_CALLER)
        own = {name: value for name, value in targets.items()
               if name in {p.name for p in operation.path_parameters}}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            auth = tokens.storage(caller)
            strategy = operation.as_strategy(generation_mode=mode, auth_storage=auth)
            if own:
                strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, auth_storage=auth,
                                                                     path_parameters=own))

            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def run(case):
                response = case.call()
                sent["total"] += 1
                if endpoint == "revoke_token" and response.status_code == 200:
                    tokens.forget(caller)
                case.validate_response(response, checks=checks)
                _problem_checks(case, response)

            try:
                run()
            except Exception as error:  # noqa: BLE001  (collect every operation's failure, then fail once)
                failures.append(f"{operation.label} [{mode.value}]: {error}")

    print(f"Schemathesis sent {sent['total']} requests")
    assert not failures, "\n\n".join(failures)
    assert sent["total"] >= MINIMUM_REQUESTS
