"""The follow-up instruments in the browser (issue 16): a safety visit offers the ASQ on its
result page, an acute positive ASQ shows its banner and the case is resolved with the ASQ
linked; an assess-for-depression case is measured with a PHQ-9 whose outcome is pre-selected.

The autouse `page_errors` fixture fails any of these tests on a CSP violation or script error.
"""

import re
from typing import Any

from playwright.sync_api import Page, expect

from screening.followup import ACUTE_HEADING
from screening.instruments import phq9
from screening.models import Flag, FlagKind, FlagOutcome, FlagStatus, RecordedInstrument
from tests.conftest import make_user
from tests.e2e import screening_setup
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.e2e.screening_setup import new_patient
from tests.e2e.test_screening_visit_flow import A1, A2, A3, BACKACHE, answer, answer_symptoms
from tests.factories import ANSWERS, FlagFactory, VisitFactory

clinician_page = screening_setup.clinician_page

PHQ9_12 = (2, 2, 2, 2, 1, 1, 1, 1, 0)  # 12, item 9 not endorsed
PHQ9_LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")


def choose(page: Page, question: str | re.Pattern[str], option: str) -> None:
    """Check one answer of a question, its radio group found by the question's wording."""
    name = re.compile(re.escape(question)) if isinstance(question, str) else question
    page.get_by_role("group", name=name).get_by_role("radio", name=option, exact=True).check()


def case_history(page: Page):
    return page.get_by_role("region", name="Case history").get_by_role("listitem")


def test_safety_visit_offers_the_asq_whose_acute_positive_banner_leads_to_a_linked_resolution(
    clinician_page: Page, live_server: Any, sign_in: Any
):
    make_user("rev_asq", "reviewer")
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
            "appetite_lost": "No",
            "appetite_increased": "No",
            "sleep_trouble": "No",
            "concentration": "No",
            "worthless": "No",
            "death_thoughts": "Yes",
        },
    )
    page.get_by_role("button", name="Record visit").click()

    expect(page.get_by_test_id("safety-banner")).to_be_visible()
    page.get_by_role("link", name="Ask the ASQ now").click()
    expect(
        page.get_by_role("heading", name="Ask Suicide-Screening Questions (ASQ)")
    ).to_be_visible()
    flag = Flag.objects.get(patient=patient, kind=FlagKind.SAFETY)
    expect(page.get_by_test_id("instrument-flag")).to_contain_text(f"case #{flag.pk}")
    assert_no_serious_axe_violations(page)

    choose(page, "1. In the past few weeks, have you wished you were dead?", "Yes")
    for question in (
        "2. In the past few weeks, have you felt that you or your family",
        "3. In the past week, have you been having thoughts about killing yourself?",
        "4. Have you ever tried to kill yourself?",
    ):
        choose(page, question, "No")
    choose(page, "5. Are you having thoughts of killing yourself right now?", "Yes")
    page.get_by_role("button", name=re.compile(r"^Record ASQ")).click()

    banner = page.get_by_test_id("instrument-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-banner", "acute_positive")
    expect(banner.get_by_role("heading", name=ACUTE_HEADING)).to_be_visible()
    assert banner.evaluate("el => el.getAttribute('role')") == "alert"
    expect(page.get_by_text(f"case #{flag.pk}", exact=False).first).to_be_visible()
    assert_no_serious_axe_violations(page)
    recorded = RecordedInstrument.objects.get(patient=patient)
    assert (recorded.instrument, recorded.flag_id) == ("asq", flag.pk)
    assert recorded.result["result"] == "acute_positive"

    page.get_by_role("button", name="Sign out").click()
    sign_in("rev_asq")
    page.goto(f"{live_server.url}/review/{flag.pk}/")
    measure = page.get_by_test_id("case-measure")
    expect(measure).to_contain_text("Acute positive")
    # a positive ASQ never closes a safety case by itself: nothing is pre-selected
    expect(page.get_by_test_id("case-measure-suggestion")).to_contain_text("never closes")
    expect(page.get_by_label("Outcome")).to_have_value("")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Claim this case").click()
    page.get_by_label("Outcome").select_option(label=FlagOutcome.SAFETY_ASSESSED.label)
    page.get_by_label("Assessment note").fill("STAT evaluation done; crisis team admitted.")
    page.get_by_role("button", name="Resolve").click()

    expect(page.get_by_role("status").filter(has_text="Case resolved.")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_have_text("Resolved")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED
    assert flag.outcome == FlagOutcome.SAFETY_ASSESSED
    assert flag.outcome_instrument_id == recorded.pk


def test_depression_case_is_measured_with_a_phq9_whose_outcome_is_preselected_then_resolved(
    page: Page, live_server: Any, sign_in: Any
):
    make_user("rev_phq", "reviewer")
    visit = VisitFactory(answers=ANSWERS["back_pain"])
    flag = FlagFactory(visit=visit, kind=FlagKind.ASSESS_DEPRESSION)
    sign_in("rev_phq")

    page.goto(f"{live_server.url}/review/{flag.pk}/")
    expect(page.get_by_test_id("case-measure")).to_contain_text("Not measured yet")
    page.get_by_role("link", name="Record the PHQ-9").click()
    expect(page.get_by_role("heading", name="PHQ-9")).to_be_visible()
    assert_no_serious_axe_violations(page)

    for question, level in zip(phq9.QUESTIONS, PHQ9_12, strict=False):
        choose(page, question.text, PHQ9_LABELS[level])
    choose(page, "How difficult have these problems made it", "Somewhat difficult")
    page.get_by_role("button", name="Record PHQ-9").click()

    expect(page.get_by_test_id("instrument-summary")).to_contain_text("Score 12 of 27 (moderate)")
    expect(page.get_by_test_id("instrument-banner")).to_have_count(0)
    assert_no_serious_axe_violations(page)
    recorded = RecordedInstrument.objects.get(patient=flag.patient)
    assert recorded.result["score"] == 12
    assert recorded.answers["phq9_difficulty"] == "somewhat_difficult"

    page.get_by_role("link", name=f"case #{flag.pk}").click()
    expect(page.get_by_test_id("case-measure-summary")).to_contain_text("Score 12 of 27")
    outcome = page.get_by_label("Outcome")
    expect(outcome).to_have_value(FlagOutcome.CONFIRMED_REFERRED.value)  # pre-selected
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Claim this case").click()
    expect(page.get_by_label("Outcome")).to_have_value(FlagOutcome.CONFIRMED_REFERRED.value)
    page.get_by_label("Assessment note").fill("PHQ-9 of 12; referred to behavioural health.")
    page.get_by_role("button", name="Resolve").click()

    expect(page.get_by_role("status").filter(has_text="Case resolved.")).to_be_visible()
    resolved = case_history(page).filter(has_text="Resolved")
    expect(resolved).to_contain_text(FlagOutcome.CONFIRMED_REFERRED.label)
    flag.refresh_from_db()
    assert (flag.status, flag.outcome) == (FlagStatus.RESOLVED, FlagOutcome.CONFIRMED_REFERRED)
    assert flag.outcome_instrument_id == recorded.pk
