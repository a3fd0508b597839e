"""A real server and a real browser: the app on a copy of the demo world, served by a
thread on 127.0.0.1, driven by Playwright in Debian's headless Chromium.

Chromium comes from the system (``apt-get install chromium``; ``CHROMIUM_PATH`` to
override); without it these tests skip and say so (``.ci/run`` installs it and turns a
skip into a failure). Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from config import TestConfig

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture
def world(demo_world):
    return demo_world


@pytest.fixture
def server(request, database, tmp_path):
    """The app on the demo world, served on a free port for the length of the test."""
    evidence = tmp_path / "instance" / "evidence"
    shutil.copytree(request.getfixturevalue("world_evidence"), evidence)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database.url
        INSTANCE_PATH = str(tmp_path / "instance")
        EVIDENCE_FOLDER = str(evidence)
        RATELIMIT_ENABLED = False  # one browser logs in as every role from one address

    app = create_app(Config)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (test extra)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh browser context (its own cookies) sized like a phone, with a helper to log in."""
    contexts = []

    def open_page(width: int = 390, height: int = 844):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def login(page, base: str, username: str, password: str = "shequ-demo-2026") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/home")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
