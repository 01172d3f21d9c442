"""One visit per encounter: a second visit for a patient recorded minutes after the last one is
saved only once the clinician confirms it is another encounter (issue 15, point 1)."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.services import Actor
from screening.models import Visit
from screening.services import visits
from screening.services.visits import RecentVisitRecorded, record_visit
from tests.conftest import make_user
from tests.factories import ANSWERS, PatientFactory
from tests.integration.test_screening_form import form_data, is_checked

WARNING = "A visit was already recorded for this patient"


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician)


@pytest.fixture
def url(patient):
    return reverse("screening:visit_new", args=[patient.pk])


@pytest.fixture
def signed_in(client, clinician):
    client.force_login(clinician)
    return client


@pytest.mark.django_db
def test_form_asks_first_and_links_the_visit_when_one_was_recorded_minutes_ago(
    signed_in, url, patient
):
    signed_in.post(url, form_data(ANSWERS["depressed_affect"]))
    first = Visit.objects.get(patient=patient)

    # Back from the result page: the same answers in a fresh form, with a new submission id
    response = signed_in.post(url, form_data(ANSWERS["depressed_affect"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert WARNING in html
    assert f'href="{first.get_absolute_url()}">Open visit {first.pk}</a>' in html
    amend = reverse("screening:visit_amend", args=[first.pk])
    assert f'href="{amend}">Amend visit {first.pk}</a>' in html
    assert "This is another encounter: record a new visit anyway" in html
    assert "1 answer needs attention; nothing was saved" in html
    assert list(Visit.objects.filter(patient=patient).values_list("pk", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_the_asked_form_keeps_every_answer_and_its_submission_id(signed_in, url, patient):
    signed_in.post(url, form_data(ANSWERS["negative"]))
    data = form_data(ANSWERS["back_pain"], height_cm="181")

    html = signed_in.post(url, data).content.decode()

    assert f'value="{data["submission_id"]}"' in html
    assert 'name="height_cm" value="181"' in html
    assert is_checked(html, "backache_freq_30d", ANSWERS["back_pain"]["backache_freq_30d"])


@pytest.mark.django_db
def test_a_second_visit_is_recorded_when_the_clinician_confirms_another_encounter(
    signed_in, url, patient
):
    signed_in.post(url, form_data(ANSWERS["negative"]))

    response = signed_in.post(url, form_data(ANSWERS["negative"], another_encounter="on"))

    assert response.status_code == 302
    assert Visit.objects.filter(patient=patient).count() == 2
    assert "Visit recorded." in signed_in.get(response.url).content.decode()


@pytest.mark.django_db
def test_no_question_is_asked_when_the_last_visit_was_recorded_longer_ago(
    signed_in, url, patient, monkeypatch
):
    signed_in.post(url, form_data(ANSWERS["negative"]))
    later = timezone.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(visits.timezone, "now", lambda: later)

    response = signed_in.post(url, form_data(ANSWERS["negative"]))

    assert response.status_code == 302
    assert Visit.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db
def test_no_question_is_asked_when_recent_visit_minutes_is_zero(signed_in, url, patient, settings):
    settings.RECENT_VISIT_MINUTES = 0
    signed_in.post(url, form_data(ANSWERS["negative"]))

    response = signed_in.post(url, form_data(ANSWERS["negative"]))

    assert response.status_code == 302
    assert Visit.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db
def test_another_patients_recent_visit_asks_nothing(signed_in, url, patient, clinician):
    other = PatientFactory(created_by=clinician)
    signed_in.post(reverse("screening:visit_new", args=[other.pk]), form_data(ANSWERS["negative"]))

    response = signed_in.post(url, form_data(ANSWERS["negative"]))

    assert response.status_code == 302
    assert Visit.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_an_amendment_minutes_later_asks_nothing(signed_in, url, patient):
    signed_in.post(url, form_data(ANSWERS["negative"]))
    first = Visit.objects.get(patient=patient)
    amend = reverse("screening:visit_amend", args=[first.pk])

    response = signed_in.post(
        amend, form_data(ANSWERS["back_pain"], amendment_reason="Backache answer misheard.")
    )

    assert response.status_code == 302
    assert Visit.objects.filter(patient=patient, amends=first).count() == 1


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_tabs_records_when_both_submit_at_once():
    """The check runs under the patient's row lock, so two submits cannot both see no visit."""
    clinician = make_user("dr_tabs", "clinician")
    patient = PatientFactory(created_by=clinician)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            record_visit(
                patient=patient,
                answers=ANSWERS["negative"],
                covariates={},
                visit_at=timezone.now(),
                submission_id=uuid.uuid4(),
                actor=Actor(clinician),
                check_recent=True,
            )
            outcomes.append("recorded")
        except RecentVisitRecorded as asked:
            outcomes.append(f"asked about visit {asked.recent.pk}")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    visit = Visit.objects.get(patient=patient)
    assert sorted(outcomes) == [f"asked about visit {visit.pk}", "recorded"]
