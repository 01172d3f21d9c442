"""The case page: the patient, visit, answers, reasons and later visits it shows, its audit and
query count, and who may act on it (a reviewer, by POST with a CSRF token; on a colleague's case
only a note or a take-over)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from screening.models import FlagEvent, FlagStatus
from tests.conftest import make_user
from tests.factories import FlagFactory, VisitFactory
from tests.integration import review_cases
from tests.integration.review_cases import case_url, events

pytestmark = pytest.mark.django_db

# The shared fixtures, bound here for pytest to find (ruff reads a bare import as unused).
colleague = review_cases.colleague
signed_in = review_cases.signed_in

BACK_PAIN_AND_DEPRESSION = {
    "backache_freq_30d": "almost_every_day",
    "da_sad_2wk": "yes",
    "da_duration": "all_day_long",
    "da_frequency": "every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": True,
    "da_sleep_trouble": True,
    "da_sleep_frequency": "every_night",
    "da_concentration": False,
    "da_worthless": False,
    "da_death_thoughts": False,
}


def test_case_page_shows_patient_visit_answers_reasons_and_later_visits_when_opened(signed_in):
    visit = VisitFactory(
        answers=BACK_PAIN_AND_DEPRESSION, visit_at=timezone.now() - dt.timedelta(days=9)
    )
    flag = FlagFactory(visit=visit, reason="back pain almost every day in the past 30 days")
    later = VisitFactory(patient=visit.patient)
    FlagFactory()  # another patient's visit must not show

    response = signed_in.get(case_url(flag))
    page = response.content.decode()

    assert response.status_code == 200
    assert flag.patient.mrn in page
    assert f"{flag.patient.family_name}, {flag.patient.given_name}" in page
    assert "Back pain almost every day in the past 30 days." in page  # the flag's reason
    assert "How long did these feelings usually last?" in page  # an answer as asked
    assert "Meets the major-depression criterion" in page  # criteria.explain
    assert reverse("screening:visit", args=[later.pk]) in page
    assert page.count('href="/visits/') == 2  # the raising visit and the one later visit


def test_viewing_a_case_is_audited_without_phi_when_opened(signed_in, reviewer):
    flag = FlagFactory()
    signed_in.get(case_url(flag))
    audit = Audit.objects.get(action=AuditAction.FLAG_VIEW)
    assert (audit.actor, audit.patient_id, audit.object_id) == (
        reviewer,
        flag.patient_id,
        str(flag.pk),
    )
    assert audit.detail == {"flag": flag.pk}


def test_case_page_query_count_is_the_same_when_the_history_grows(signed_in, reviewer):
    flag = FlagFactory()
    FlagEvent.objects.create(flag=flag, actor=reviewer, action="noted", note="first")
    signed_in.get(case_url(flag))  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as short:
        signed_in.get(case_url(flag))
    for i in range(20):
        FlagEvent.objects.create(flag=flag, actor=make_user(f"r{i}", "reviewer"), action="noted")
        VisitFactory(patient=flag.patient)
    with CaptureQueriesContext(connection) as long:
        signed_in.get(case_url(flag))
    assert len(long.captured_queries) == len(short.captured_queries)


def test_unknown_case_gets_404_when_opened(signed_in):
    assert signed_in.get(reverse("review:flag", args=[999999])).status_code == 404


def test_reviewer_sees_only_note_and_take_over_when_a_colleague_has_the_case(signed_in, colleague):
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=colleague)
    page = signed_in.get(case_url(flag)).content.decode()
    assert "Casey Colleague has this case. You can add a note, or take the case over" in page
    assert 'value="Claim this case"' not in page
    assert 'value="Resolve"' not in page
    assert 'value="Add note"' in page
    assert 'value="Take over this case"' in page


def test_clinician_gets_403_when_posting_an_action(client, clinician):
    flag = FlagFactory()
    client.force_login(clinician)
    assert client.post(case_url(flag, "claim")).status_code == 403
    assert client.get(case_url(flag)).status_code == 403
    assert events(flag) == []


def test_action_urls_refuse_get_when_opened_directly(signed_in):
    flag = FlagFactory()
    assert signed_in.get(case_url(flag, "claim")).status_code == 405


def test_action_without_csrf_token_is_refused_when_posted(reviewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    flag = FlagFactory()
    assert client.post(case_url(flag, "claim")).status_code == 403
    assert events(flag) == []
