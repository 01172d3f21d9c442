"""A reviewer works a case to a close in the browser; clinicians cannot open the queue.

The autouse `page_errors` fixture fails any of these tests on a CSP violation or script error.
"""

import datetime as dt
import re
import uuid

from django.utils import timezone
from playwright.sync_api import Page, expect

from audit.services import Actor
from screening.models import Flag, FlagKind, FlagPriority, FlagStatus
from screening.services.visits import record_visit
from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.factories import ANSWERS, FlagFactory, PatientFactory, VisitFactory


def history(page: Page):
    return page.get_by_role("region", name="Case history").get_by_role("listitem")


def test_reviewer_claims_notes_resolves_and_reopens_when_working_a_case(
    page: Page, sign_in, live_server
):
    make_user("rita", "reviewer")
    visit = VisitFactory(answers=ANSWERS["back_pain"])
    flag = FlagFactory(visit=visit, reason="back pain almost every day in the past 30 days")
    patient = flag.patient
    sign_in("rita")

    page.goto(f"{live_server.url}/review/")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name=f"{patient.family_name}, {patient.given_name}").click()
    expect(
        page.get_by_role("heading", name=f"Case #{flag.pk}: Assess for depression")
    ).to_be_visible()
    expect(page.get_by_text("Back pain almost every day in the past 30 days.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("button", name="Claim this case").click()
    expect(
        page.get_by_role("status").filter(has_text="You have claimed this case.")
    ).to_be_visible()
    expect(history(page).filter(has_text="Claimed")).to_have_count(1)

    page.get_by_label(re.compile(r"^\s*Note\*?\s*$")).fill(
        "Left a voicemail; will call again tomorrow."
    )
    page.get_by_role("button", name="Add note").click()
    expect(
        history(page).filter(has_text="Left a voicemail; will call again tomorrow.")
    ).to_be_visible()

    page.get_by_role("button", name="Resolve").click()  # no outcome yet: the browser asks for it
    expect(page.get_by_test_id("case-status")).to_have_text("In review")
    page.get_by_label("Outcome").select_option(label="Assessed; other condition not present")
    page.get_by_label("Assessment note").fill("PHQ-9 of 3 by phone.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status").filter(has_text="Case resolved.")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_have_text("Resolved")
    resolved = history(page).filter(has_text="Resolved")
    expect(resolved).to_contain_text("Outcome: Assessed; other condition not present")
    expect(resolved).to_contain_text("PHQ-9 of 3 by phone.")

    page.get_by_label("Reason for reopening (optional)").fill("Patient called back with new pain.")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("status").filter(has_text="Case reopened.")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_have_text("Open")
    actions = [re.sub(r"\s+", " ", text) for text in history(page).all_inner_texts()]
    assert [text.split(" by ")[0] for text in actions] == [
        "Claimed",
        "Note added",
        "Resolved",
        "Reopened",
    ]
    expect(page.get_by_role("button", name="Claim this case")).to_be_visible()
    assert_no_serious_axe_violations(page)

    flag.refresh_from_db()
    assert (flag.status, flag.outcome, flag.assignee) == (FlagStatus.OPEN, None, None)


def test_reviewer_takes_over_a_safety_case_a_colleague_left_claimed(
    page: Page, sign_in, live_server
):
    away = make_user("away_reviewer", "reviewer")
    make_user("cover", "reviewer")
    flag = FlagFactory(kind=FlagKind.SAFETY, status=FlagStatus.IN_REVIEW, assignee=away)
    sign_in("cover")

    page.goto(f"{live_server.url}/review/{flag.pk}/")
    expect(page.get_by_role("button", name="Claim this case")).to_have_count(0)
    assert_no_serious_axe_violations(page)
    page.get_by_label(re.compile("Reason for taking over")).fill("Off sick; safety case today.")
    page.get_by_role("button", name="Take over this case").click()

    expect(
        page.get_by_role("status").filter(has_text="You have taken over this case")
    ).to_be_visible()
    expect(history(page).filter(has_text="Taken over from away_reviewer")).to_contain_text(
        "Off sick; safety case today."
    )
    expect(page.get_by_role("button", name="Resolve")).to_be_visible()
    flag.refresh_from_db()
    assert flag.assignee.username == "cover"


def test_clinician_gets_403_when_opening_the_queue(page: Page, sign_in, live_server):
    make_user("carl", "clinician")
    flag = FlagFactory()
    sign_in("carl")
    for path in ("/review/", f"/review/{flag.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 403
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue")
    ).to_have_count(0)


def test_safety_flag_from_a_visit_tops_the_queue_when_older_flags_wait(
    page: Page, sign_in, live_server
):
    make_user("rita", "reviewer")
    clinician = make_user("carl", "clinician")
    long_ago = timezone.now() - dt.timedelta(days=30)
    FlagFactory(priority=FlagPriority.COMORBID, opened_at=long_ago)
    FlagFactory(kind=FlagKind.ASSESS_BACK_PAIN, priority=FlagPriority.RAISED, opened_at=long_ago)
    patient = PatientFactory()
    record_visit(
        patient=patient,
        answers=ANSWERS["safety"],
        covariates={},
        visit_at=timezone.now(),
        submission_id=uuid.uuid4(),
        actor=Actor(clinician),
    )
    safety = Flag.objects.get(patient=patient, kind=FlagKind.SAFETY)
    sign_in("rita")

    page.goto(f"{live_server.url}/review/")

    first = page.get_by_role("table").get_by_role("row").nth(1)  # row 0 is the header
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("Safety: thoughts of death")
    expect(first.get_by_role("link")).to_have_text(f"{patient.family_name}, {patient.given_name}")
    first.get_by_role("link").click()
    expect(
        page.get_by_role("heading", name=f"Case #{safety.pk}: Safety: thoughts of death")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("988")
