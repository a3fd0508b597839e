"""Each role's main page in a real browser, kept as a screenshot; no page breaks the CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot

ROLE_PAGES = [
    ("resident", None, "/"),
    ("secretary", "secretary-q010101", "/home"),
    ("street-committee", "committee-s0101", "/home"),
    ("street-finance", "finance-s0101", "/home"),
    ("district-oversight", "oversight-d01", "/home"),
    ("admin", "admin", "/admin/organisations"),
]


@pytest.mark.parametrize("name,username,path", ROLE_PAGES, ids=[r[0] for r in ROLE_PAGES])
def test_main_page_of_each_role(world, server, browser_page, name, username, path):
    page = browser_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    if username:
        login(page, server, username)
    page.goto(server + path)
    assert page.locator("h1").first.is_visible()
    assert "500" not in page.locator("h1").first.inner_text()
    shot = screenshot(page, f"{name}-main")
    assert shot.stat().st_size > 10_000
    assert not [p for p in problems if "Content Security Policy" in p], problems
