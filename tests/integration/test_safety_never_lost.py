"""An urgent safety answer is never lost: a "Yes" to thoughts of death recorded off the entered
path (the form without JavaScript shows every question) still raises SAFETY (CRITERIA.md 4)."""

import pytest
from django.core import mail
from django.urls import reverse

from screening.models import Flag, FlagKind, FlagPriority, Visit
from tests.factories import ANSWERS, PatientFactory
from tests.integration.test_screening_form import form_data


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("death_key", "study_path"),
    [("da_death_thoughts", "anhedonia"), ("an_death_thoughts", "depressed_affect")],
)
def test_off_path_death_yes_raises_an_urgent_flag_and_emails_reviewers(
    client, clinician, reviewer, death_key, study_path
):
    patient = PatientFactory(created_by=clinician)
    if study_path == "depressed_affect":  # path A entered: path B's death item is off the path
        answers = {**ANSWERS["comorbid"], death_key: True}
    else:  # path A failed at A1 and path B entered: path A's death item is off the path
        answers = {
            "backache_freq_30d": "not_at_all",
            "da_sad_2wk": "no",
            "an_lost_interest_2wk": "yes",
            "an_duration": "most_of_the_day",
            "an_frequency": "every_day",
            "an_tired": True,
            "an_appetite_lost": True,
            "an_sleep_trouble": False,
            "an_concentration": False,
            "an_worthless": False,
            "an_death_thoughts": False,
            death_key: True,
        }
    client.force_login(clinician)

    response = client.post(reverse("screening:visit_new", args=[patient.pk]), form_data(answers))

    visit = Visit.objects.get(patient=patient)
    assert response.status_code == 302
    assert (visit.path, getattr(visit, death_key), visit.safety_flag) == (study_path, True, True)
    flag = Flag.objects.get(patient=patient, kind=FlagKind.SAFETY)
    assert flag.priority == FlagPriority.URGENT
    page = client.get(response["Location"]).content.decode()
    assert "988" in page
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
