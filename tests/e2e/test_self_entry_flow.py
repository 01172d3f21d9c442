"""A patient answers on the clinic tablet (issue 17, point 6): the clinician creates the
invitation, the patient confirms their date of birth and answers yes to thoughts of death, sees
the crisis page; the SAFETY flag is in the review queue before anyone signs; the clinician signs
and the visit page names both people. axe finds no serious violation on the patient's pages."""

import datetime as dt
import re
from typing import Any

from playwright.sync_api import Page, expect

from intake.models import SelfEntry
from intake.wording import PATIENT_TEXT
from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.e2e.screening_setup import new_patient

TABLET = {"width": 768, "height": 1024}


def answer(page: Page, key: str, label: str) -> None:
    group = page.get_by_role("group", name=PATIENT_TEXT[key], exact=True)
    group.get_by_label(label, exact=True).check()


def touch_targets_are_big(page: Page) -> None:
    """Every answer's label, which checks its radio, is at least 44 px tall and on the screen."""
    for label in page.locator("fieldset:not([hidden]) .self-entry-choice label").all():
        box = label.bounding_box()
        assert box is not None
        assert box["height"] >= 44, box
        assert box["x"] + box["width"] <= TABLET["width"], box


def proceed(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_patient_answers_on_the_tablet_and_the_clinician_signs_off(
    page: Page, sign_in: Any, live_server: Any, browser: Any
):
    patient = new_patient(date_of_birth=dt.date(1970, 3, 25))
    make_user("dr_tablet", "clinician")
    reviewer = make_user("rev_tablet", "reviewer")
    page.set_viewport_size(TABLET)
    sign_in("dr_tablet")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("link", name="Self-entry").click()
    page.get_by_label("Clinic tablet, now").check()
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_test_id("invitation-link").inner_text()
    path = re.sub(r"^https?://[^/]+", "", link)
    assert page.locator("figure svg").count() == 1

    # the same tablet goes into patient mode: the clinician is signed out
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="First, your date of birth")).to_be_visible()
    expect(page.get_by_text("dr_tablet")).to_have_count(0)
    assert_no_serious_axe_violations(page)
    page.get_by_label("Your date of birth").fill("1970-03-25")
    proceed(page)

    answer(page, "backache_freq_30d", "Not at all")
    answer(page, "da_sad_2wk", "Yes")
    assert_no_serious_axe_violations(page)
    touch_targets_are_big(page)
    proceed(page)
    answer(page, "da_duration", "All day long")
    proceed(page)
    answer(page, "da_frequency", "Every day")
    proceed(page)
    for key in (
        "da_lost_interest",
        "da_tired",
        "da_appetite_lost",
        "da_sleep_trouble",
        "da_concentration",
        "da_worthless",
    ):
        answer(page, key, "No")
    answer(page, "da_death_thoughts", "Yes")
    proceed(page)
    answer(page, "da_appetite_increased", "No")
    proceed(page)

    expect(page.get_by_text("Please tell the staff at the desk now")).to_be_visible()
    expect(page.get_by_text("call or text 988")).to_be_visible()
    expect(page.get_by_text("call 911")).to_be_visible()
    assert_no_serious_axe_violations(page)
    entry = SelfEntry.objects.get(invitation__patient=patient)
    assert entry.signed_at is None

    # before any sign-off, the reviewer's queue has the patient-reported SAFETY flag
    reviewer_page = browser.new_page()
    reviewer_page.goto(f"{live_server.url}/accounts/login/")
    reviewer_page.get_by_label("Username").fill(reviewer.username)
    reviewer_page.get_by_label("Password").fill("correct-horse-battery-staple")
    reviewer_page.get_by_role("button", name="Sign in").click()
    reviewer_page.goto(f"{live_server.url}/review/")
    row = reviewer_page.get_by_role("row").filter(has_text=patient.mrn)
    expect(row).to_contain_text("Safety")
    expect(row).to_contain_text("Patient-reported")
    reviewer_page.close()

    sign_in("dr_tablet")
    page.goto(f"{live_server.url}/self-entries/")
    page.get_by_role("link", name=f"Self-entry {entry.pk}").click()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_test_id("signed-off")).to_contain_text("Signed off by dr_tablet")
    page.get_by_role("link", name=f"visit {entry.visit_id}").first.click()
    expect(page.get_by_test_id("entered-by")).to_contain_text("Entered by the patient")
    expect(page.get_by_test_id("entered-by")).to_contain_text("Signed off by dr_tablet")


def test_an_idle_patient_page_returns_to_the_start_and_forgets_the_invitation(
    page: Page, live_server: Any, settings: Any
):
    from audit.services import Actor
    from intake.services import create_invitation

    settings.SELF_ENTRY_IDLE_SECONDS = 2
    patient = new_patient(date_of_birth=dt.date(1981, 6, 2))
    created = create_invitation(
        patient=patient, mode="tablet", actor=Actor(make_user("dr_idle", "clinician"))
    )
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}/self/{created.token}/")
    page.get_by_label("Your date of birth").fill("1981-06-02")
    proceed(page)
    expect(page.get_by_role("group", name=PATIENT_TEXT["backache_freq_30d"])).to_be_visible()
    page.wait_for_url(f"{live_server.url}/self/", timeout=10_000)
    expect(page.get_by_label("Your code")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.go_back()
    expect(page.get_by_role("group", name=PATIENT_TEXT["backache_freq_30d"])).to_have_count(0)


def test_follow_up_questions_appear_as_soon_as_answers_call_for_them(page: Page, live_server: Any):
    """With JavaScript the patient answers everything on one page and presses Continue once."""
    from audit.services import Actor
    from intake.services import create_invitation
    from screening.models import Visit

    patient = new_patient(date_of_birth=dt.date(1975, 1, 15))
    created = create_invitation(
        patient=patient, mode="link", actor=Actor(make_user("dr_js", "clinician"))
    )
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}/self/{created.token}/")
    page.get_by_label("Your date of birth").fill("1975-01-15")
    proceed(page)
    duration = page.get_by_role("group", name=PATIENT_TEXT["da_duration"], exact=True)
    expect(duration).to_be_hidden()
    answer(page, "backache_freq_30d", "Several times a week")
    answer(page, "da_sad_2wk", "No")
    expect(duration).to_be_hidden()
    answer(page, "an_lost_interest_2wk", "No")
    proceed(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    visit = Visit.objects.get(patient=patient)
    assert (visit.back_pain, visit.path, visit.entered_by) == (True, "none", "patient")
