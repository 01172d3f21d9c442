"""The re-screen list (issue 16, point 5): patients whose latest current visit met one criterion
and not the other, once the interval has passed, most overdue first, 25 to a page; a new visit
takes them off; each showing is audited; reviewers only."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from review.selectors import next_rescreen, rescreen_due
from screening.rescreen import add_months
from tests.factories import ANSWERS, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

RESCREEN = reverse("review:rescreen")


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def listed(response) -> list[int]:
    """The patient ids in table order, as the page lists them."""
    return [int(pk) for pk in re.findall(r'data-patient-id="(\d+)"', response.content.decode())]


def link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return RESCREEN + html.unescape(found.group(1)) if found else None


def visit(patient=None, *, outcome: str = "back_pain", days: int = 400, **extra):
    return VisitFactory(
        patient=patient or PatientFactory(), answers=ANSWERS[outcome], visit_at=ago(days), **extra
    )


@pytest.fixture
def signed_in(client, reviewer):
    client.force_login(reviewer)
    return client


def test_only_patients_positive_for_one_condition_and_past_the_interval_are_listed_when_opened(
    signed_in,
):
    back = visit(outcome="back_pain", days=500)
    depressed = visit(outcome="depressed_affect", days=370)
    visit(outcome="comorbid", days=500)
    visit(outcome="negative", days=500)
    visit(outcome="back_pain", days=340)  # due in about 3 weeks: not listed

    response = signed_in.get(RESCREEN)

    assert response.status_code == 200
    assert listed(response) == [back.patient_id, depressed.patient_id]
    body = response.content.decode()
    day = timezone.localdate(back.visit_at).isoformat()
    assert f"back pain {day}; depression not met" in body
    assert (
        f"depression {timezone.localdate(depressed.visit_at).isoformat()}; back pain not met"
        in body
    )
    assert back.patient.mrn in body
    assert f'href="{back.patient.get_absolute_url()}"' in body
    assert "Overdue by 4 months" in body  # 500 days after the visit, 135 after the due date


def test_the_empty_state_is_shown_when_no_one_is_due(signed_in):
    visit(outcome="back_pain", days=30)

    response = signed_in.get(RESCREEN)

    assert listed(response) == []
    assert "No one is due for re-screening" in response.content.decode()


def test_a_new_visit_takes_the_patient_off_the_list_when_recorded(signed_in):
    first = visit(outcome="back_pain", days=400)
    assert listed(signed_in.get(RESCREEN)) == [first.patient_id]

    visit(first.patient, outcome="negative", days=1)

    assert listed(signed_in.get(RESCREEN)) == []


def test_the_latest_visit_decides_when_an_older_one_was_positive(signed_in):
    patient = PatientFactory()
    visit(patient, outcome="back_pain", days=900)
    visit(patient, outcome="comorbid", days=500)

    assert listed(signed_in.get(RESCREEN)) == []


def test_an_amended_visit_counts_as_its_amendment_says_when_listed(signed_in):
    replaced = visit(outcome="negative", days=400)
    visit(
        replaced.patient,
        outcome="back_pain",
        days=400,
        amends=replaced,
        amendment_reason="backache answer corrected",
    )
    # a later visit that an amendment replaced does not take the patient off either
    other = visit(outcome="depressed_affect", days=600)
    newer = visit(other.patient, outcome="negative", days=10)
    visit(
        other.patient,
        outcome="depressed_affect",
        days=600,
        amends=newer,
        amendment_reason="entered for the wrong patient",
    )

    assert listed(signed_in.get(RESCREEN)) == [other.patient_id, replaced.patient_id]


def test_the_interval_comes_from_the_setting_when_it_is_changed(signed_in, settings):
    patient = visit(outcome="back_pain", days=200).patient
    assert listed(signed_in.get(RESCREEN)) == []

    settings.RESCREEN_INTERVAL_MONTHS = 6

    assert listed(signed_in.get(RESCREEN)) == [patient.pk]


def test_pages_hold_25_most_overdue_first_and_page_back_when_followed(signed_in):
    patients = [visit(days=1000 - n).patient_id for n in range(30)]

    first = signed_in.get(RESCREEN)
    assert listed(first) == patients[:25]
    assert link(first, "prev") is None
    second = signed_in.get(link(first, "next"))
    assert listed(second) == patients[25:]
    assert "Page 2" in second.content.decode()
    assert link(second, "next") is None
    assert listed(signed_in.get(link(second, "prev"))) == patients[:25]


def test_the_page_costs_the_same_queries_when_the_page_is_full(
    signed_in, django_assert_max_num_queries
):
    for n in range(30):
        visit(days=1000 - n)
    signed_in.get(RESCREEN)  # warm the session and the permission cache

    with django_assert_max_num_queries(12) as captured:
        signed_in.get(RESCREEN)
    few = len(captured)
    for n in range(30):
        visit(days=2000 - n)
    with django_assert_max_num_queries(few):
        signed_in.get(RESCREEN)


def test_each_showing_leaves_one_row_with_the_ids_listed_when_opened(signed_in, reviewer):
    older, newer = visit(days=700), visit(days=400)

    signed_in.get(RESCREEN)

    row = Audit.objects.get(action=AuditAction.RESCREEN_VIEW)
    assert row.actor == reviewer
    assert row.patient is None
    assert row.detail == {
        "patients": [older.patient_id, newer.patient_id],
        "visits": [older.pk, newer.pk],
        "page": 1,
    }
    assert older.patient.mrn not in str(row.detail)


def test_a_clinician_without_review_permission_is_refused_when_opening(client, clinician):
    visit(days=400)
    client.force_login(clinician)

    response = client.get(RESCREEN)

    assert response.status_code == 403
    assert not Audit.objects.filter(action=AuditAction.RESCREEN_VIEW).exists()


def test_reviewers_find_the_list_from_the_queue_and_the_nav_when_signed_in(signed_in):
    body = signed_in.get(reverse("review:queue")).content.decode()

    assert body.count(f'href="{RESCREEN}"') == 2


def test_clinicians_see_no_link_to_the_list_when_signed_in(client, clinician):
    client.force_login(clinician)

    body = client.get(reverse("patients:search")).content.decode()

    assert RESCREEN not in body


def test_next_rescreen_names_the_due_date_and_reason_when_asked_for_a_patient():
    back = visit(outcome="back_pain", days=400)
    soon = visit(outcome="depressed_affect", days=30)
    both = visit(outcome="comorbid", days=400)

    due = next_rescreen(back.patient)
    upcoming = next_rescreen(soon.patient)

    assert due.overdue is True
    assert due.due_on == add_months(timezone.localdate(back.visit_at), 12)
    assert due.reason.startswith("back pain ")
    assert upcoming.overdue is False
    assert upcoming.reason.endswith("; back pain not met")
    assert next_rescreen(both.patient) is None
    assert next_rescreen(PatientFactory()) is None


def test_the_list_is_the_same_whichever_day_it_is_read_for_when_given_today():
    patient = visit(outcome="back_pain", days=0).patient
    day = timezone.localdate()

    assert rescreen_due(today=day).rows == []
    later = rescreen_due(today=add_months(day, 12) + dt.timedelta(days=1))
    assert [row.visit.patient_id for row in later.rows] == [patient.pk]


def test_the_patient_page_shows_when_the_next_screen_is_due_when_one_condition_was_met(
    client, clinician
):
    back = visit(outcome="back_pain", days=30)
    client.force_login(clinician)

    body = client.get(back.patient.get_absolute_url()).content.decode()

    due_on = add_months(timezone.localdate(back.visit_at), 12)
    assert "Next screen due: " in body
    assert f">{due_on.isoformat()}</time> (back pain positive, depression not met)" in body
    assert "Overdue" not in body


def test_the_patient_page_marks_an_overdue_screen_when_the_interval_has_passed(client, clinician):
    depressed = visit(outcome="depressed_affect", days=500)
    client.force_login(clinician)

    body = client.get(depressed.patient.get_absolute_url()).content.decode()

    assert "(depression positive, back pain not met)" in body
    assert "Overdue by 4 months" in body


@pytest.mark.parametrize("outcome", ["comorbid", "negative"])
def test_the_patient_page_shows_no_next_screen_when_both_or_neither_were_met(
    client, clinician, outcome
):
    patient = visit(outcome=outcome, days=400).patient
    client.force_login(clinician)

    body = client.get(patient.get_absolute_url()).content.decode()

    assert "Next screen due" not in body


def test_an_altered_cursor_shows_the_first_page_when_followed(signed_in):
    patient = visit(days=400).patient

    response = signed_in.get(RESCREEN, {"cursor": "not-a-signed-cursor"})

    assert response.status_code == 200
    assert listed(response) == [patient.pk]
    assert "Page 1" in response.content.decode()
