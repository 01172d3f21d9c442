"""A clinician's path through a visit in the browser: find or register, screen, see the result;
a refused submit, a safety answer and an amendment.

The autouse `page_errors` fixture fails any of these tests on a CSP violation or script error.
"""

import datetime as dt
import re
import uuid
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from audit.services import Actor
from patients.models import Patient
from screening.models import Flag, Visit
from screening.services.visits import record_visit
from tests.conftest import make_user
from tests.e2e import screening_setup
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.e2e.screening_setup import new_patient
from tests.factories import ANSWERS

# The shared fixture, bound here for pytest to find (ruff reads a bare import as unused).
clinician_page = screening_setup.clinician_page

BACKACHE = "In the past 30 days, how often have you experienced backaches?"
A1 = re.compile(r"^A1\. ")
A2 = re.compile(r"^A2\. ")
A3 = re.compile(r"^A3\. ")
B1 = re.compile(r"^B1\. ")
B2 = re.compile(r"^B2\. ")
B3 = re.compile(r"^B3\. ")
SYMPTOMS = {
    "lost_interest": "did you lose interest in most things?",
    "tired": "did you feel more tired out",
    "appetite_lost": "did you lose your appetite?",
    "appetite_increased": "Did your appetite increase?",
    "sleep_trouble": "have more trouble falling asleep",
    "sleep_frequency": "How often did you have trouble falling asleep?",
    "concentration": "trouble concentrating",
    "worthless": "no good, or worthless?",
    "death_thoughts": "think a lot about death",
}


def question(page: Page, name: str | re.Pattern[str]) -> Any:
    """The radio group of one visible question, found by its legend."""
    if isinstance(name, str):
        name = re.compile(re.escape(name))
    return page.get_by_role("group", name=name)


def answer(page: Page, name: str | re.Pattern[str], option: str) -> None:
    question(page, name).get_by_role("radio", name=option, exact=True).check()


def answer_symptoms(page: Page, answers: dict[str, str]) -> None:
    for symptom, option in answers.items():
        answer(page, SYMPTOMS[symptom], option)


def recorded(patient: Patient, answers: str) -> Visit:
    return record_visit(
        patient=patient,
        answers=ANSWERS[answers],
        covariates={},
        visit_at=timezone.now() - dt.timedelta(days=14),
        submission_id=uuid.uuid4(),
        actor=Actor(user=patient.created_by),
    ).visit


def test_clinician_registers_and_screens_a_patient_to_a_positive_result_on_the_depressed_affect_path(
    clinician_page: Page, live_server: Any
):
    page = clinician_page
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Find a patient").fill("Rivera")
    page.get_by_role("button", name="Search").click()
    empty = page.get_by_test_id("empty-state")
    expect(empty).to_contain_text("No patient matches")
    assert_no_serious_axe_violations(page)

    empty.get_by_role("link", name="Register a new patient").click()
    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Medical record number (MRN)").fill("MRN-E2E-1")
    page.get_by_label("Given name").fill("Elena")
    page.get_by_label("Family name").fill("Rivera")
    page.get_by_label("Date of birth").fill("1975-04-02")
    page.get_by_role("group", name="Sex").get_by_label("Female").check()
    page.get_by_label("Education").select_option(label="Some college or associate degree")
    page.get_by_role("button", name="Register patient").click()

    expect(page.get_by_role("heading", name="Rivera, Elena")).to_be_visible()
    expect(page.get_by_text("Patient registered.")).to_be_visible()
    page.get_by_role("link", name="Screen this patient").click()

    expect(page.get_by_role("heading", name="New visit")).to_be_visible()
    expect(question(page, A2)).to_have_count(0)  # hidden until A1 is answered Yes
    assert_no_serious_axe_violations(page)
    answer(page, BACKACHE, "Several times a week")
    answer(page, A1, "Yes")
    answer(page, A2, "All day long")
    answer(page, A3, "Every day")
    expect(question(page, B1)).to_have_count(0)  # path A entered: path B is not asked
    answer_symptoms(
        page,
        {
            "lost_interest": "Yes",
            "tired": "Yes",
            "appetite_lost": "No",
            "appetite_increased": "No",
            "sleep_trouble": "Yes",
            "sleep_frequency": "Nearly every night",
            "concentration": "Yes",
            "worthless": "No",
            "death_thoughts": "No",
        },
    )
    page.get_by_role("button", name="Record visit").click()

    expect(
        page.get_by_role("heading", name=re.compile(r"Visit \d+: screening result"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Major depression: Screen positive")).to_be_visible()
    expect(page.get_by_role("heading", name="Back pain: Screen positive")).to_be_visible()
    expect(page.get_by_text("4 of 7 symptoms counted (cut-off 4)", exact=False)).to_be_visible()
    expect(page.get_by_test_id("safety-banner")).to_have_count(0)
    raised = page.get_by_role("heading", name=re.compile("^Assess for back pain"))
    expect(raised).to_be_visible()
    expect(
        page.get_by_text("prevalence ratio 1.48, 95% CI 1.04\u20132.13", exact=False)
    ).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Patient record").click()
    flags = page.get_by_role("list", name="Open flags")
    expect(flags).to_contain_text("Assess for back pain")
    expect(flags).to_contain_text("Assess for depression")
    expect(page.get_by_role("img", name="Depression symptom count by visit")).to_be_visible()
    assert_no_serious_axe_violations(page)
    patient = Patient.objects.get(mrn="MRN-E2E-1")
    assert sorted(Flag.objects.filter(patient=patient).values_list("kind", flat=True)) == [
        "assess_back_pain",
        "assess_depression",
    ]


def test_search_results_come_back_with_the_back_button_and_no_name_in_the_url(
    clinician_page: Page, live_server: Any
):
    new_patient(given_name="Ada", family_name="Okafor")
    page = clinician_page
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Find a patient").fill("okafor")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name="Okafor, Ada")
    expect(result).to_be_visible()
    assert "okafor" not in page.url.lower()

    result.click()
    expect(page.get_by_role("heading", name="Okafor, Ada")).to_be_visible()
    page.go_back()
    expect(result).to_be_visible()  # no "confirm form resubmission" page
    assert_no_serious_axe_violations(page)

    page.get_by_role("button", name="Clear search").click()
    expect(result).to_have_count(0)
    expect(page.get_by_label("Find a patient")).to_have_value("")


def test_clinician_screens_a_positive_result_on_the_anhedonia_path(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    answer(page, BACKACHE, "Once a month")
    answer(page, A1, "No")
    expect(question(page, A2)).to_have_count(0)
    answer(page, B1, "Yes")
    answer(page, B2, "Most of the day")
    answer(page, B3, "Almost every day")
    expect(
        page.get_by_role("group", name=re.compile("lose interest in most things"))
    ).to_have_count(0)
    answer_symptoms(
        page,
        {
            "tired": "Yes",
            "appetite_lost": "Yes",
            "sleep_trouble": "No",
            "concentration": "Yes",
            "worthless": "Yes",
            "death_thoughts": "No",
        },
    )
    page.get_by_role("button", name="Record visit").click()

    expect(page.get_by_role("heading", name="Major depression: Screen positive")).to_be_visible()
    expect(page.get_by_text("Anhedonia path entered", exact=False)).to_be_visible()
    expect(
        page.get_by_text("Path: Anhedonia (loss of interest) · symptoms counted: 4", exact=False)
    ).to_be_visible()
    visit = Visit.objects.get(patient=patient)
    assert (visit.path, visit.symptom_count, visit.da_duration) == ("anhedonia", 4, None)


def test_a_screen_out_records_no_flag_when_both_stems_are_no(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    answer(page, BACKACHE, "Not at all")
    answer(page, A1, "No")
    answer(page, B1, "No")
    expect(question(page, B2)).to_have_count(0)
    expect(page.get_by_role("group", name=re.compile("more tired out"))).to_have_count(0)
    page.get_by_role("button", name="Record visit").click()

    expect(page.get_by_role("heading", name="Back pain: Screen negative")).to_be_visible()
    expect(page.get_by_role("heading", name="Major depression: Screen negative")).to_be_visible()
    expect(page.get_by_text("None: this visit raised no flag.")).to_be_visible()
    assert not Flag.objects.filter(patient=patient).exists()


def test_a_refused_submit_keeps_every_answer_and_announces_the_errors(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    answer(page, BACKACHE, "Once a week")
    answer(page, A1, "Yes")
    answer(page, A2, "Most of the day")
    page.get_by_label("Height (cm)").fill("180")
    page.get_by_role("button", name="Record visit").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 answer needs attention; nothing was saved")
    expect(summary.get_by_role("link", name=A3)).to_be_visible()
    expect(summary).to_be_focused()
    expect(question(page, A3)).to_contain_text("Choose an answer")
    expect(question(page, BACKACHE).get_by_label("Once a week")).to_be_checked()
    expect(question(page, A2).get_by_label("Most of the day")).to_be_checked()
    expect(page.get_by_label("Height (cm)")).to_have_value("180")
    assert_no_serious_axe_violations(page)

    answer(page, A3, "Less often than that")  # path A not entered: B1 is asked next
    answer(page, B1, "No")
    page.get_by_role("button", name="Record visit").click()

    expect(page.get_by_text("Visit recorded.")).to_be_visible()
    assert Visit.objects.get(patient=patient).height_cm == 180


def test_a_safety_answer_shows_the_banner_lands_in_the_queue_and_emails_reviewers(
    clinician_page: Page, live_server: Any, mailoutbox: list[Any], sign_in: Any
):
    reviewer = make_user("rev_e2e", "reviewer")
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    answer(page, BACKACHE, "Not at all")
    answer(page, A1, "Yes")
    answer(page, A2, "All day long")
    answer(page, A3, "Every day")
    answer_symptoms(
        page,
        {
            "lost_interest": "No",
            "tired": "No",
            "appetite_lost": "Yes",
            "sleep_trouble": "No",
            "concentration": "No",
            "worthless": "No",
            "death_thoughts": "Yes",
        },
    )
    page.get_by_role("button", name="Record visit").click()

    banner = page.get_by_test_id("safety-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("988")
    expect(banner).to_contain_text("do not leave them alone")
    assert banner.evaluate("el => el.getAttribute('role')") == "alert"
    assert_no_serious_axe_violations(page)
    flag = Flag.objects.get(patient=patient, kind="safety")
    assert (flag.status, flag.priority) == ("open", 4)
    assert [message.to for message in mailoutbox] == [[reviewer.email]]
    assert f"/review/{flag.pk}/" in mailoutbox[0].body
    assert patient.family_name not in mailoutbox[0].body

    page.get_by_role("button", name="Sign out").click()
    sign_in("rev_e2e")
    page.goto(f"{live_server.url}/review/")
    row = page.get_by_role("row").filter(has_text=f"{patient.family_name}, {patient.given_name}")
    expect(row).to_contain_text("Safety: thoughts of death")
    link = re.search(r"https?://[^/]+(/review/\d+/)", mailoutbox[0].body)
    assert link is not None
    assert page.goto(f"{live_server.url}{link.group(1)}").status == 200


def test_an_amendment_replaces_the_visit_and_the_old_one_points_to_it(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    original = recorded(patient, "negative")
    page = clinician_page
    page.goto(f"{live_server.url}{original.get_absolute_url()}")
    page.get_by_role("link", name="Amend this visit").click()

    expect(page.get_by_role("heading", name=f"Amend visit {original.pk}")).to_be_visible()
    expect(question(page, BACKACHE).get_by_label("Not at all")).to_be_checked()
    answer(page, BACKACHE, "Almost every day")
    expect(page.get_by_role("link", name="Cancel")).to_have_attribute(
        "href", original.get_absolute_url()
    )
    with page.expect_navigation():  # the refusal is a new page; type into that one
        page.get_by_role("button", name="Record amendment").click()
    expect(page.get_by_text("Say why the visit is amended.").first).to_be_visible()
    page.get_by_label("Reason for the amendment").fill("Backache answer misheard.")
    page.get_by_role("button", name="Record amendment").click()

    expect(
        page.get_by_text(f"Amendment recorded; it replaces visit {original.pk}.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Back pain: Screen positive")).to_be_visible()
    page.get_by_role("link", name=f"visit {original.pk}", exact=True).click()
    expect(page.get_by_test_id("amended-banner")).to_be_visible()
    expect(page.get_by_role("link", name="Amend this visit")).to_have_count(0)
    expect(page.get_by_text("Reason given by dr_e2e: Backache answer misheard.")).to_be_visible()
    changed = page.get_by_test_id("amendment-changes").get_by_role("row").filter(has_text=BACKACHE)
    expect(changed).to_contain_text("Not at all")
    expect(changed).to_contain_text("Almost every day")
    assert_no_serious_axe_violations(page)
    amended = Visit.objects.get(amends=original)
    assert (amended.back_pain, amended.amendment_reason) == (True, "Backache answer misheard.")


def test_back_and_resubmit_asks_first_then_records_a_second_visit_when_confirmed(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    answer(page, BACKACHE, "Almost every day")
    answer(page, A1, "No")
    answer(page, B1, "No")
    page.get_by_role("button", name="Record visit").click()
    expect(page.get_by_text("Visit recorded.")).to_be_visible()
    first = Visit.objects.get(patient=patient)

    page.go_back()  # the browser restores the answers into a fresh form
    expect(page.get_by_role("heading", name="New visit")).to_be_visible()
    expect(question(page, BACKACHE).get_by_label("Almost every day")).to_be_checked()
    page.get_by_role("button", name="Record visit").click()

    warning = page.get_by_test_id("recent-visit-warning")
    expect(warning).to_contain_text("A visit was already recorded for this patient")
    expect(warning.get_by_role("link", name=f"Open visit {first.pk}")).to_be_visible()
    expect(warning.get_by_role("link", name=f"Amend visit {first.pk}")).to_be_visible()
    expect(question(page, BACKACHE).get_by_label("Almost every day")).to_be_checked()
    assert_no_serious_axe_violations(page)
    assert Visit.objects.filter(patient=patient).count() == 1

    page.get_by_label("This is another encounter: record a new visit anyway").check()
    page.get_by_role("button", name="Record visit").click()

    expect(page.get_by_text("Visit recorded.")).to_be_visible()
    assert Visit.objects.filter(patient=patient).count() == 2
