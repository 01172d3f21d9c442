"""At tablet size (768 x 1024) every role's main pages fit the screen, "Sign out" can be reached,
the form's radios are visible (3:1 against white) and big enough to touch (44 px), and an error
goes as soon as its question is answered (issue 15, point 6)."""

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.screening_setup import new_patient
from tests.factories import ANSWERS, FlagFactory, VisitFactory

TABLET = {"width": 768, "height": 1024}


def fits(page: Page) -> None:
    """Nothing runs off to the right: the page is no wider than the viewport."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], (page.url, width)


def sign_out_reachable(page: Page) -> None:
    """A person at a tablet opens the menu and sees "Sign out" on the screen."""
    toggle = page.get_by_role("button", name="Toggle navigation")
    if toggle.is_visible():
        toggle.click()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    box = sign_out.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= TABLET["width"]


def check_pages(page: Page, base: str, paths: list[str]) -> None:
    for path in paths:
        page.goto(base + path)
        expect(page.get_by_role("main")).to_be_visible()
        fits(page)
        sign_out_reachable(page)
        fits(page)  # the opened menu too


@pytest.fixture
def patient_with_history() -> Any:
    patient = new_patient()
    now = timezone.now()
    for days, answers in enumerate(("comorbid", "back_pain", "negative", "anhedonia") * 3):
        VisitFactory(
            patient=patient,
            answers=ANSWERS[answers],
            visit_at=now - dt.timedelta(days=30 * days + 1),
        )
    return patient


def test_clinician_pages_fit_a_tablet_when_opened(
    page: Page, sign_in, live_server, patient_with_history
):
    make_user("tab_clinician", "clinician")
    page.set_viewport_size(TABLET)
    sign_in("tab_clinician")
    visit = patient_with_history.visits.order_by("-visit_at").first()

    check_pages(
        page,
        live_server.url,
        [
            "/patients/",
            patient_with_history.get_absolute_url(),
            f"/patients/{patient_with_history.pk}/visits/new/",
            visit.get_absolute_url(),
        ],
    )


def test_reviewer_pages_fit_a_tablet_when_opened(page: Page, sign_in, live_server):
    make_user("tab_reviewer", "reviewer")
    flags = [FlagFactory() for _ in range(3)]
    page.set_viewport_size(TABLET)
    sign_in("tab_reviewer")

    check_pages(page, live_server.url, ["/review/", f"/review/{flags[0].pk}/"])


def test_admin_pages_fit_a_tablet_when_opened(page: Page, sign_in, live_server):
    make_user("tab_admin", "admin")
    FlagFactory()
    page.set_viewport_size(TABLET)
    sign_in("tab_admin")

    check_pages(page, live_server.url, ["/exports/", "/analytics/", "/audit/", "/users/"])


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(css_colour: str) -> float:
    rgb = tuple(float(part) for part in re.findall(r"[\d.]+", css_colour)[:3])
    return 1.05 / (_luminance(rgb) + 0.05)


def test_form_radios_are_visible_and_big_enough_to_touch_on_a_tablet(
    page: Page, sign_in, live_server
):
    make_user("tab_touch", "clinician")
    patient = new_patient()
    page.set_viewport_size(TABLET)
    sign_in("tab_touch")
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")

    radios = page.locator("input[type=radio]:visible")
    assert radios.count() > 10
    for index in range(radios.count()):
        radio = radios.nth(index)
        border = radio.evaluate("el => getComputedStyle(el).borderTopColor")
        assert contrast_with_white(border) >= 3, border
        label = page.locator(f"label[for='{radio.get_attribute('id')}']")
        box = label.bounding_box()
        assert box is not None
        assert box["height"] >= 44, (radio.get_attribute("id"), box)
        target = radio.evaluate("el => el.closest('.form-check').getBoundingClientRect().height")
        assert target >= 44
    fits(page)


def test_an_error_goes_as_soon_as_its_question_is_answered(page: Page, sign_in, live_server):
    make_user("tab_errors", "clinician")
    patient = new_patient()
    page.set_viewport_size(TABLET)
    sign_in("tab_errors")
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")

    page.get_by_role("button", name="Record visit").click()
    backache = page.locator("#div_id_backache_freq_30d")
    sad = page.locator("#div_id_da_sad_2wk")
    message = "Choose how often the patient had backaches in the past 30 days"
    expect(backache.get_by_text(message)).to_be_visible()
    expect(sad.get_by_text("Choose an answer")).to_be_visible()
    summary = page.get_by_role("alert").filter(has_text="nothing was saved")
    expect(summary).to_contain_text("2 answers need attention")
    expect(
        summary.get_by_role("link", name=re.compile("how often have you experienced"))
    ).to_be_visible()

    backache.get_by_label("Once a month").check()

    expect(backache.get_by_text(message)).to_be_hidden()
    expect(
        summary.get_by_role("link", name=re.compile("how often have you experienced"))
    ).to_have_count(0)
    expect(sad.get_by_text("Choose an answer")).to_be_visible()  # still unanswered
    expect(summary).to_contain_text("1 answer needs attention; nothing was saved")

    sad.get_by_label("No", exact=True).check()

    expect(sad.get_by_text("Choose an answer")).to_be_hidden()
    expect(summary).to_be_hidden()
