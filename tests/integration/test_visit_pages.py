"""The result page /visits/<id>/, amendments, and the patient page's timeline and chart."""

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from audit.services import Actor
from screening.models import FlagEventAction, Visit
from screening.services.visits import record_visit
from tests.factories import ANSWERS, PatientFactory
from tests.integration.test_screening_form import form_data, is_checked


def record(patient: Any, user: Any, answers: str, days_ago: int = 0) -> Visit:
    return record_visit(
        patient=patient,
        answers=ANSWERS[answers],
        covariates={},
        visit_at=timezone.now() - dt.timedelta(days=days_ago),
        submission_id=uuid.uuid4(),
        actor=Actor(user=user),
    ).visit


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician, given_name="Ana", family_name="López")


def page(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_safety_banner_with_the_crisis_line_comes_first_when_the_visit_raised_safety(
    client, clinician, patient
):
    visit = record(patient, clinician, "safety")

    html = page(client, clinician, visit.get_absolute_url())

    banner = html.index('data-testid="safety-banner"')
    assert banner < html.index("Classification") < html.index("Open flags for this patient")
    assert 'role="alert"' in html[banner - 200 : banner]
    assert "988" in html
    assert "do not leave them alone" in html
    assert "Columbia Suicide Severity Rating Scale (C-SSRS)" in html


@pytest.mark.django_db
def test_no_safety_banner_shows_when_no_thoughts_of_death_were_recorded(client, clinician, patient):
    visit = record(patient, clinician, "comorbid")

    html = page(client, clinician, visit.get_absolute_url())

    assert 'data-testid="safety-banner"' not in html


@pytest.mark.django_db
def test_both_classifications_show_why_when_the_result_opens(client, clinician, patient):
    visit = record(patient, clinician, "comorbid")

    html = page(client, clinician, visit.get_absolute_url())

    assert "Back pain: <span" in html
    assert "Backaches several times a week in the past 30 days: meets the back-pain" in html
    assert "Depressed-affect path entered: sad 2+ weeks, all day long, every day." in html
    assert "4 of 7 symptoms counted (cut-off 4)" in html
    assert "Meets the major-depression criterion (4 or more symptoms)." in html


@pytest.mark.django_db
def test_each_flag_says_what_the_study_found_as_population_figures_when_the_visit_raised_flags(
    client, clinician, patient
):
    visit = record(patient, clinician, "comorbid")

    html = page(client, clinician, visit.get_absolute_url())

    assert "; in a national study of US adults (MIDUS, Yang et al. 2023), " in html
    assert "adults with back pain more often had major depression" in html
    assert "prevalence ratio 1.96, 95% CI 1.41\u20132.74" in html  # back pain → depression
    assert "prevalence ratio 1.48, 95% CI 1.04\u20132.13" in html  # depression → back pain
    assert html.count("not this patient&#x27;s own risk") >= 2
    assert "17.4%" not in html  # the lay summary's percentages stay on the analytics page
    assert "doi.org/10.3390/ijerph20054217" in html


@pytest.mark.django_db
def test_open_flags_link_to_the_review_page_only_for_reviewers(
    client, clinician, reviewer, patient
):
    visit = record(patient, clinician, "back_pain")
    flag = visit.flags.get()

    as_clinician = page(client, clinician, visit.get_absolute_url())
    as_reviewer = page(client, reviewer, visit.get_absolute_url())

    assert "Assess for depression" in as_clinician
    assert f'href="/review/{flag.pk}/"' not in as_clinician
    assert f'href="/review/{flag.pk}/"' in as_reviewer


@pytest.mark.django_db
def test_opening_a_visit_is_audited(client, clinician, patient):
    visit = record(patient, clinician, "negative")

    page(client, clinician, visit.get_absolute_url())

    audit = Audit.objects.get(action=AuditAction.VISIT_VIEW)
    assert (audit.actor, audit.object_id, audit.patient) == (clinician, str(visit.pk), patient)


@pytest.mark.django_db
def test_visit_page_is_not_found_when_the_visit_does_not_exist(client, clinician):
    client.force_login(clinician)

    assert client.get(reverse("screening:visit", args=[424242])).status_code == 404


@pytest.mark.django_db
def test_amend_form_repeats_the_recorded_answers_when_opened(client, clinician, patient):
    visit = record(patient, clinician, "anhedonia")

    html = page(client, clinician, reverse("screening:visit_amend", args=[visit.pk]))

    assert f"Amend visit {visit.pk}" in html
    assert is_checked(html, "da_sad_2wk", "no")
    assert is_checked(html, "an_duration", "most_of_the_day")
    assert is_checked(html, "an_worthless", "yes")
    assert is_checked(html, "an_sleep_trouble", "no")


@pytest.mark.django_db
def test_amendment_is_a_new_visit_and_the_old_one_links_to_it_when_saved(
    client, clinician, patient
):
    original = record(patient, clinician, "comorbid")
    client.force_login(clinician)

    response = client.post(
        reverse("screening:visit_amend", args=[original.pk]),
        form_data(ANSWERS["back_pain"], amendment_reason="Misheard."),
    )

    amended = Visit.objects.get(amends=original)
    assert response.url == amended.get_absolute_url()
    new_page = page(client, clinician, amended.get_absolute_url())
    assert "This visit amends <a" in new_page
    assert "Amend this visit" in new_page
    old_page = page(client, clinician, original.get_absolute_url())
    assert 'data-testid="amended-banner"' in old_page
    assert f'href="{amended.get_absolute_url()}">visit {amended.pk}</a> replaces it' in old_page
    assert "Amend this visit" not in old_page
    noted = amended.patient.flags.get(kind="assess_back_pain").events.last()
    assert noted.action == FlagEventAction.NOTED


@pytest.mark.django_db
def test_amend_sends_to_the_newer_visit_when_the_visit_was_already_amended(
    client, clinician, patient
):
    original = record(patient, clinician, "negative")
    client.force_login(clinician)
    client.post(
        reverse("screening:visit_amend", args=[original.pk]),
        form_data(ANSWERS["back_pain"], amendment_reason="Misheard."),
    )
    newer = Visit.objects.get(amends=original)

    response = client.get(reverse("screening:visit_amend", args=[original.pk]))
    late = client.post(
        reverse("screening:visit_amend", args=[original.pk]),
        form_data(ANSWERS["comorbid"], amendment_reason="Misheard."),
    )

    assert response.url == newer.get_absolute_url()
    assert late.url == newer.get_absolute_url()
    assert Visit.objects.count() == 2


@pytest.mark.django_db
def test_patient_page_shows_the_timeline_chart_with_a_text_alternative(client, clinician, patient):
    record(patient, clinician, "negative", days_ago=60)
    record(patient, clinician, "anhedonia", days_ago=30)
    latest = record(patient, clinician, "comorbid")

    html = page(client, clinician, patient.get_absolute_url())

    assert html.count("<svg") == 2
    assert '<title id="chart-symptoms-title">Depression symptom count by visit</title>' in html
    assert "3 visit(s) from" in html
    assert "Latest: 4." in html
    assert "Latest: several times a week." in html
    assert "<caption>Depression symptom count by visit</caption>" in html
    assert f"Visit {latest.pk}, " in html
    assert len(re.findall(r'<circle class="dot-a"', html)) == 3


@pytest.mark.django_db
def test_patient_page_lists_visits_and_open_flags_and_marks_replaced_visits(
    client, clinician, patient
):
    original = record(patient, clinician, "back_pain", days_ago=3)
    client.force_login(clinician)
    client.post(
        reverse("screening:visit_amend", args=[original.pk]),
        form_data(ANSWERS["comorbid"], amendment_reason="Misheard."),
    )

    html = page(client, clinician, patient.get_absolute_url())

    assert "López, Ana" in html
    assert "Amended (replaced)" in html
    assert f"Amends visit {original.pk}" in html
    assert "Assess for depression" in html
    assert "Assess for back pain" in html
    assert f'href="/patients/{patient.pk}/visits/new/"' in html


@pytest.mark.django_db
def test_patient_page_offers_a_first_visit_when_none_is_recorded(client, clinician, patient):
    html = page(client, clinician, patient.get_absolute_url())

    assert "No visits recorded yet." in html
    assert "No open flags." in html
    assert "<svg" not in html


def test_times_show_the_zone_and_its_local_hour_under_the_clinics_time_zone(
    client, clinician, patient, settings
):
    settings.TIME_ZONE = "America/New_York"
    winter = record_visit(
        patient=patient,
        answers=ANSWERS["back_pain"],
        covariates={},
        visit_at=dt.datetime(2026, 1, 15, 19, 5, tzinfo=dt.UTC),
        submission_id=uuid.uuid4(),
        actor=Actor(user=clinician),
    ).visit
    summer = record_visit(
        patient=patient,
        answers=ANSWERS["back_pain"],
        covariates={},
        visit_at=dt.datetime(2026, 7, 15, 18, 30, tzinfo=dt.UTC),
        submission_id=uuid.uuid4(),
        actor=Actor(user=clinician),
    ).visit

    assert "15 Jan 2026 14:05 EST" in page(client, clinician, winter.get_absolute_url())
    timeline = page(client, clinician, patient.get_absolute_url())
    assert "15 Jan 2026 14:05 EST" in timeline
    assert "15 Jul 2026 14:30 EDT" in timeline
    assert summer.visit_at.hour == 18  # stored in UTC, shown on the clinic's clock
