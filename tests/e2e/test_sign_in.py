"""A person signs in through the browser and sees only their role's navigation."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations

NAV = ["Patients", "Review queue", "Exports", "Analytics", "Audit", "Users"]
VISIBLE = {
    "clinician": ["Patients"],
    "reviewer": ["Patients", "Review queue"],
    "admin": NAV,
}


@pytest.mark.parametrize("role", ["clinician", "reviewer", "admin"])
def test_navigation_shows_only_the_role_pages_when_signed_in(page: Page, sign_in, role: str):
    make_user(f"{role}_person", role)
    sign_in(f"{role}_person")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_text(f"{role}_person")).to_be_visible()
    for name in NAV:
        link = nav.get_by_role("link", name=name, exact=True)
        if name in VISIBLE[role]:
            expect(link).to_have_count(1)
        else:
            expect(link).to_have_count(0)


def test_sign_in_page_has_no_serious_accessibility_violation(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_account_locks_with_a_message_when_the_password_is_wrong_five_times(page: Page, sign_in):
    make_user("unlucky", "clinician")
    for _ in range(5):
        sign_in("unlucky", password="wrong-password-123")
    expect(page.get_by_text("Account locked")).to_be_visible()
    sign_in("unlucky")  # even the right password is refused while locked
    expect(page.get_by_text("Account locked")).to_be_visible()


def test_sign_out_returns_to_the_sign_in_page(page: Page, sign_in):
    make_user("leaver", "clinician")
    sign_in("leaver")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_browser_check_catches_a_content_security_policy_violation(
    page: Page, live_server, page_errors
):
    """The per-page check that guards every browser test really sees CSP violations."""
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const el = document.createElement('style');"
            " el.textContent = 'body{color:red}'; document.head.appendChild(el); }"
        )
    assert any("Content Security Policy" in e for e in page_errors), page_errors
    page_errors.clear()


KEEPALIVE = "**/accounts/keepalive/"
MINUTE = 60_000  # ms


def test_typing_keeps_the_session_alive_where_no_request_would(page: Page, sign_in, live_server):
    """A clinician typing a long form for 20 minutes, one key every 50 s: the page tells the
    server about the input, so the 15-minute idle limit follows the person, not the requests.
    The browser's clock is Playwright's; tests/integration/test_sign_in.py checks that a
    keep-alive refreshes the server's idle stamp."""
    make_user("slow_typist", "clinician")
    page.clock.install()
    sign_in("slow_typist")
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("Given name").fill("Typed")
    pings = []
    page.on("request", lambda request: pings.append(request) if "keepalive" in request.url else 0)

    for key in range(24):
        page.clock.run_for(50_000)
        if key % 2:  # at most one keep-alive a minute: every other key, 100 s apart
            with page.expect_response(KEEPALIVE):
                page.get_by_label("Family name").press("Shift")
        else:
            page.get_by_label("Family name").press("Shift")

    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value("Typed")  # never reloaded
    assert len(pings) == 12, len(pings)
    assert {ping.method for ping in pings} == {"POST"}
    assert pings[-1].response().status == 204


def test_idle_page_warns_then_signs_out_unless_the_person_stays(page: Page, sign_in, live_server):
    make_user("wanderer", "clinician")
    page.clock.install()
    sign_in("wanderer")
    page.goto(f"{live_server.url}/patients/new/")
    warning = page.get_by_role("alert").filter(has_text="You will be signed out")
    expect(warning).to_be_hidden()

    page.clock.run_for(14 * MINUTE)
    expect(warning).to_be_visible()
    assert_no_serious_axe_violations(page)
    with page.expect_request(KEEPALIVE) as kept:
        # a click alone, as screen readers in browse mode and switch access send it
        page.get_by_role("button", name="Stay signed in").dispatch_event("click")
    assert kept.value.response().status == 204
    expect(warning).to_be_hidden()

    page.clock.run_for(14 * MINUTE + 1000)  # the count restarted at the keep-alive
    expect(warning).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/patients/new/")
    page.clock.run_for(MINUTE + 10_000)
    # The page leaves the form for the start page; in real time the server would have ended
    # the session there (tests/integration/test_sign_in.py); here only the browser's clock ran.
    expect(page).to_have_url(f"{live_server.url}/patients/")
