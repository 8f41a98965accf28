"""A live Hearth server in a thread, and Playwright driving Debian's chromium against it.

Run with `make test-browser` (pytest -m browser). Never downloads a browser: it uses
/usr/bin/chromium, which .ci/run installs from Debian's packages.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from mentoring import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(app: Flask, app_config: dict[str, Any], live_port: int) -> Flask:
    """The app the live server runs: the test database, with links pointing at the server.

    It depends on `app` so the tables exist and each test's clean-up empties them.
    """
    config = {k: v for k, v in app_config.items() if k != "SERVER_NAME"}
    config["BASE_URL"] = f"http://127.0.0.1:{live_port}"
    return create_app(config)


@pytest.fixture(scope="session")
def live_server(live_app: Flask, live_port: int) -> Iterator[str]:
    server = make_server("127.0.0.1", live_port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{live_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(params=["phone", "laptop"])
def journey(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Iterator[Any]:
    """A journey at a phone's size, tapped, and at a laptop's size, by keyboard alone; its
    screenshots go to test-results/screenshots/<journey>-<viewport>/, named by its module."""
    from tests.browser.journey import Journey

    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_journeys_")
    journey = Journey(browser, live_server, name, request.param, keyboard=request.param == "laptop")
    yield journey
    journey.close()
