"""A reviewer goes from the queue to the re-screen list and on to a patient whose page says when
the next screen is due and charts PHQ-9 over time; axe finds no serious violation on either page.

The autouse `page_errors` fixture fails these tests on a CSP violation or script error.
"""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.factories import (
    ANSWERS,
    PatientFactory,
    RecordedInstrumentFactory,
    VisitFactory,
    phq9_answers,
)


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_reviewer_finds_a_patient_due_and_sees_their_progress_when_following_the_list(
    page: Page, sign_in, live_server
):
    make_user("rhea", "reviewer")
    patient = PatientFactory()
    visit = VisitFactory(patient=patient, answers=ANSWERS["back_pain"], visit_at=ago(500))
    for days, total in ((120, 16), (60, 8), (5, 3)):
        RecordedInstrumentFactory(
            patient=patient,
            instrument="phq9",
            answers=phq9_answers(total),
            administered_at=ago(days),
        )
    day = timezone.localdate(visit.visit_at).isoformat()
    sign_in("rhea")

    page.goto(f"{live_server.url}/review/")
    page.get_by_role("main").get_by_role("link", name="Due for re-screen").click()
    expect(page.get_by_role("heading", name="Due for re-screen")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=patient.mrn)
    expect(row).to_contain_text(f"back pain {day}; depression not met")
    expect(row).to_contain_text("Overdue by 4 months")
    assert_no_serious_axe_violations(page)

    row.get_by_role("link", name=f"{patient.family_name}, {patient.given_name}").click()
    expect(page.get_by_text("Next screen due:")).to_contain_text(
        "(back pain positive, depression not met)"
    )
    expect(page.get_by_role("img", name="PHQ-9 over time")).to_be_visible()
    page.get_by_text("PHQ-9 over time: data").click()
    table = page.get_by_role(
        "table", name="PHQ-9 over time, oldest first, each score beside the first"
    )
    expect(table.get_by_role("row").last).to_contain_text("Response, remission")
    assert_no_serious_axe_violations(page)
