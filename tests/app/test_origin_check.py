"""A form sent from another site is refused even with a valid CSRF token (issue 17, finding 8)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.app.conftest import csrf_token
from workflows.needs import Need


def _post_need(client, **headers):
    token = csrf_token(client, "/c/Q010101/needs/new")
    return client.post("/c/Q010101/needs/new", headers=headers, data={
        "csrf_token": token, "category": "便民服务", "description": "楼道灯不亮了，请尽快修理。", "contact": "",
    })


def _needs(session) -> int:
    return session.scalar(select(func.count(Need.id)))


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:8080"},  # the same host name, another port: another site
    {"Referer": "http://evil.example/page"},
    {"Origin": "http://evil.example", "Referer": "http://localhost/c/Q010101"},
], ids=["foreign-origin", "null-origin", "other-port", "foreign-referer", "origin-wins"])
def test_a_post_from_another_site_is_refused_and_saves_nothing(app, world, session, headers):
    before = _needs(session)
    response = _post_need(app.test_client(), **headers)
    assert response.status_code == 400
    assert "并非来自本站" in response.get_data(as_text=True)  # the page says why, in Chinese
    assert _needs(session) == before


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Referer": "http://localhost/c/Q010101"}, {}],
                         ids=["own-origin", "own-referer", "neither"])
def test_a_post_from_this_site_goes_through(app, world, session, headers):
    before = _needs(session)
    response = _post_need(app.test_client(), **headers)
    assert response.status_code in (200, 302, 303), response.status_code
    assert _needs(session) == before + 1
