"""Browser tests: Playwright driving Debian's chromium against the live server.

Every page a test opens is watched for Content-Security-Policy violations and script errors;
any one fails the test.
"""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.conftest import TEST_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium; Playwright's own browser download cannot work on our machines."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"chromium not found at {CHROMIUM}: run 'make chromium' (apt-get install chromium)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def page_errors(page: Page) -> Iterator[list[str]]:
    """Fail the test on any CSP violation or script error that the browser reports."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        # a page's own 4xx status (a 403, the lockout's 429) is a console error too; the
        # response handler below judges loads, so only script and CSP errors count here
        if "Content Security Policy" in text or (
            message.type == "error" and not text.startswith("Failed to load resource")
        ):
            errors.append(text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield errors
    assert errors == [], f"browser reported errors: {errors}"


@pytest.fixture
def sign_in(page: Page, live_server: Any) -> Any:
    """Sign in through the real form as the given user; returns the page on the landing view."""

    def _sign_in(username: str, password: str = TEST_PASSWORD) -> Page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return _sign_in


def assert_no_serious_axe_violations(page: Page) -> None:
    """axe-core finds no serious or critical accessibility violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]
