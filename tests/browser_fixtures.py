"""Browser fixtures: the app on a real port and Debian's Chromium driven by Playwright.

Without Chromium or Playwright the browser tests are skipped with a loud
message, unless PREHEAT_REQUIRE_BROWSER=1 makes that a failure.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.accounts import ADMIN

CHROMIUM = os.environ.get("PREHEAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_skipped: list[str] = []


def browser_problem() -> str | None:
    """Why browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the Python package 'playwright' is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    problem = browser_problem()
    if problem:
        if os.environ.get("PREHEAT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required (PREHEAT_REQUIRE_BROWSER=1) but {problem}")
        _skipped.append(problem)
        pytest.skip(f"BROWSER TESTS SKIPPED: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served on a free local port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@contextmanager
def open_tab(browser, base_url: str, **options):
    """A fresh browser tab on `base_url`; a script error or CSP violation fails the test.

    `options` go to the browser context (a `timezone_id`, say)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860},
                                  **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A Content-Security-Policy violation shows up as a console error.
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab on the live app; a script error fails the test."""
    with open_tab(browser, live_server) as page:
        yield page


def log_in(page, username: str, password: str) -> None:
    page.goto("/distributions")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def admin_page(page):
    """A browser tab logged in as a sysadmin, on the Distributions page."""
    log_in(page, *ADMIN)
    page.wait_for_url("**/distributions")
    return page


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"Reason: {_skipped[0]}", red=True, bold=True)
        terminalreporter.write_line("Install Chromium (apt-get install chromium) or set "
                                    "PREHEAT_REQUIRE_BROWSER=1 to make this a failure.",
                                    red=True)
