"""The screening form at /patients/<id>/visits/new/: skip logic on the server, kept answers,
errors named by question, one visit per submitted form."""

import re
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from screening import questionnaire
from screening.models import Visit
from tests.factories import ANSWERS, PatientFactory


def form_data(answers: dict[str, Any], **extra: Any) -> dict[str, str]:
    """POST data as the browser sends it: Yes/No radios as "yes"/"no"."""
    data = {
        "submission_id": str(uuid.uuid4()),
        "visit_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    for key, value in answers.items():
        data[key] = ("yes" if value else "no") if isinstance(value, bool) else value
    data.update(extra)
    return data


def is_checked(html: str, name: str, value: str) -> bool:
    radio = re.search(rf'<input type="radio"[^>]*name="{name}" value="{value}"[^>]*>', html)
    return radio is not None and "checked" in radio.group(0)


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
def test_every_question_shows_as_labelled_radios_when_the_form_opens(signed_in, url):
    response = signed_in.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    for key, item in questionnaire.ITEMS.items():
        assert f'name="{key}"' in html
        assert escape(item.text) in html
    assert html.count("<fieldset") >= len(questionnaire.ITEMS)
    assert "Was on anti-depressants (volunteered)" in html
    assert "data-skip-logic=" in html
    assert re.search(r'name="submission_id" value="[0-9a-f-]{36}"', html)


@pytest.mark.django_db
def test_visit_is_recorded_and_the_result_shown_when_the_asked_items_are_answered(
    signed_in, url, patient, clinician
):
    response = signed_in.post(url, form_data(ANSWERS["depressed_affect"]))

    visit = Visit.objects.get(patient=patient)
    assert response.status_code == 302
    assert response.url == reverse("screening:visit", args=[visit.pk])
    assert (visit.major_depression, visit.path, visit.clinician) == (
        True,
        "depressed_affect",
        clinician,
    )
    page = signed_in.get(response.url)
    assert "Visit recorded." in page.content.decode()


@pytest.mark.django_db
def test_questions_the_answers_call_for_are_required_by_name_when_left_blank(signed_in, url):
    answers = {"backache_freq_30d": "once_a_month", "da_sad_2wk": "yes"}

    response = signed_in.post(url, form_data(answers))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "1 answer needs attention; nothing was saved" in html
    assert 'href="#id_da_duration_0"' in html
    assert "A2. How long did these feelings usually last?</a>: Choose an answer" in html
    assert Visit.objects.count() == 0


@pytest.mark.django_db
def test_backache_frequency_is_required_with_its_own_message_when_missing(signed_in, url):
    response = signed_in.post(url, form_data({"da_sad_2wk": "no", "an_lost_interest_2wk": "no"}))

    html = response.content.decode()
    assert (
        "In the past 30 days, how often have you experienced backaches?</a>: Choose how often "
        "the patient had backaches in the past 30 days: every visit asks this"
    ) in html
    assert "the answers above make this question required" not in html
    assert Visit.objects.count() == 0


@pytest.mark.django_db
def test_every_answer_is_kept_when_a_submit_is_refused(signed_in, url):
    answers = {
        **ANSWERS["depressed_affect"],
        "da_frequency": None,  # missing: the symptoms are still sent
        "smoking": "former",
        "height_cm": "172.5",
    }
    data = form_data({key: value for key, value in answers.items() if value is not None})

    response = signed_in.post(url, data)

    html = response.content.decode()
    assert Visit.objects.count() == 0
    assert is_checked(html, "backache_freq_30d", "not_at_all")
    assert is_checked(html, "da_duration", "all_day_long")
    assert is_checked(html, "da_lost_interest", "yes")
    assert is_checked(html, "da_appetite_lost", "no")
    assert is_checked(html, "da_sleep_frequency", "every_night")
    assert is_checked(html, "smoking", "former")
    assert 'value="172.5"' in html
    assert f'value="{data["submission_id"]}"' in html


@pytest.mark.django_db
def test_answers_to_unasked_questions_are_stored_null_when_sent_without_javascript(
    signed_in, url, patient
):
    answers = {**ANSWERS["negative"], "da_duration": "all_day_long", "an_tired": True}

    signed_in.post(url, form_data(answers))

    visit = Visit.objects.get(patient=patient)
    assert (visit.da_sad_2wk, visit.da_duration, visit.an_tired) == ("no", None, None)


@pytest.mark.django_db
def test_one_visit_is_recorded_when_the_same_form_is_posted_twice(signed_in, url, patient):
    data = form_data(ANSWERS["back_pain"])

    first = signed_in.post(url, data)
    second = signed_in.post(url, data, follow=True)

    assert Visit.objects.filter(patient=patient).count() == 1
    assert second.redirect_chain[0][0] == first.url
    assert "This form had already been submitted" in second.content.decode()


@pytest.mark.django_db
def test_covariates_are_stored_and_bmi_shown_when_given(signed_in, url, patient):
    covariates = {
        "presenting_concern": "both",
        "antidepressant_use": False,
        "regular_exercise": True,
        "smoking": "current",
        "alcohol": "1_4_days_wk",
        "height_cm": "170.0",
        "weight_kg": "95.0",
    }

    response = signed_in.post(url, form_data({**ANSWERS["negative"], **covariates}), follow=True)

    visit = Visit.objects.get(patient=patient)
    assert (visit.antidepressant_use, visit.regular_exercise, visit.smoking) == (
        False,
        True,
        "current",
    )
    assert visit.bmi == 32.9
    assert "BMI 32.9 (obese)" in response.content.decode()


@pytest.mark.django_db
def test_covariates_are_null_when_left_blank(signed_in, url, patient):
    signed_in.post(url, form_data(ANSWERS["negative"]))

    visit = Visit.objects.get(patient=patient)
    assert (visit.antidepressant_use, visit.smoking, visit.height_cm) == (None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"height_cm": "300"}, "less than or equal to 272"),
        ({"weight_kg": "5"}, "greater than or equal to 20"),
        ({"visit_at": "2999-01-01T10:00"}, "The visit time is in the future."),
        ({"visit_at": "1901-01-01T10:00"}, "before the patient&#x27;s date of birth"),
        ({"backache_freq_30d": "sometimes"}, "Select a valid choice."),
    ],
)
def test_visit_is_refused_with_a_message_when_a_value_is_out_of_range(
    signed_in, url, extra, message
):
    response = signed_in.post(url, form_data(ANSWERS["negative"], **extra))

    assert message in response.content.decode()
    assert Visit.objects.count() == 0


@pytest.mark.django_db
def test_form_is_forbidden_when_the_user_has_no_role(client, no_role_user, url):
    client.force_login(no_role_user)

    assert client.get(url).status_code == 403
    assert client.post(url, form_data(ANSWERS["negative"])).status_code == 403
    assert Visit.objects.count() == 0


@pytest.mark.django_db
def test_form_is_not_found_when_the_patient_does_not_exist(signed_in):
    response = signed_in.get(reverse("screening:visit_new", args=[999999]))

    assert response.status_code == 404
