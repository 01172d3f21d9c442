"""The instrument forms in the browser: ASQ question 5 and the PHQ-9 difficulty question show
exactly when their instrument's asked_items asks them, the form is sent with the keyboard only,
and axe finds no serious violation. The autouse `page_errors` fixture fails on a CSP error."""

from typing import Any

from playwright.sync_api import Page, expect

from screening.models import RecordedInstrument
from tests.e2e import screening_setup
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.factories import VisitFactory

clinician_page = screening_setup.clinician_page


def _group(page: Page, key: str) -> Any:
    return page.locator(f"#div_id_{key}")


def test_asq_question_5_shows_only_after_a_yes_or_a_refusal(clinician_page: Page, live_server: Any):
    patient = VisitFactory().patient
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/instruments/new/asq/")
    expect(_group(page, "asq_5")).to_be_hidden()
    assert_no_serious_axe_violations(page)

    for key in ("asq_1", "asq_2", "asq_3"):
        _group(page, key).get_by_label("No", exact=True).check()
    _group(page, "asq_4").get_by_label("Refused to answer").check()
    expect(_group(page, "asq_5")).to_be_visible()
    _group(page, "asq_4").get_by_label("No", exact=True).check()
    expect(_group(page, "asq_5")).to_be_hidden()

    _group(page, "asq_2").get_by_label("Yes", exact=True).check()
    _group(page, "asq_5").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record ASQ").press("Enter")

    expect(
        page.get_by_role("heading", name="Do not leave the patient alone: emergency evaluation now")
    ).to_be_visible()
    assert RecordedInstrument.objects.get().result["result"] == "acute_positive"
    assert_no_serious_axe_violations(page)


def test_phq9_difficulty_shows_once_any_item_is_above_0_and_keyboard_records(
    clinician_page: Page, live_server: Any
):
    patient = VisitFactory().patient
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/instruments/new/phq9/")
    expect(_group(page, "phq9_difficulty")).to_be_hidden()

    for number in range(1, 10):
        first = _group(page, f"phq9_{number}").get_by_label("Not at all")
        first.focus()
        page.keyboard.press("Space")
        if number == 3:
            page.keyboard.press("ArrowRight")  # several days
    expect(_group(page, "phq9_difficulty")).to_be_visible()
    _group(page, "phq9_difficulty").get_by_label("Somewhat difficult").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Record PHQ-9").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Score 1 of 27 (minimal): below 10")).to_be_visible()
    recorded = RecordedInstrument.objects.get()
    assert (recorded.answers["phq9_3"], recorded.answers["phq9_difficulty"]) == (
        1,
        "somewhat_difficult",
    )
