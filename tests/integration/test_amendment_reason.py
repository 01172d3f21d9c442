"""Amendments say why and what changed: a required reason stored on the amending visit, a
"Record amendment" form with a Cancel, and a before/after table (issue 15, point 5)."""

import pytest
from django.urls import reverse

from screening.models import Visit
from tests.factories import ANSWERS, PatientFactory
from tests.integration.test_screening_form import form_data
from tests.integration.test_visit_pages import page, record


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician)


@pytest.mark.django_db
def test_amend_form_says_record_amendment_with_a_cancel_back_to_the_visit(
    client, clinician, patient
):
    visit = record(patient, clinician, "negative")

    html = page(client, clinician, reverse("screening:visit_amend", args=[visit.pk]))

    assert 'value="Record amendment"' in html
    assert 'value="Record visit"' not in html
    assert f'href="{visit.get_absolute_url()}">Cancel</a>' in html
    assert "Reason for the amendment" in html


@pytest.mark.django_db
def test_amendment_is_refused_and_nothing_saved_when_no_reason_is_given(client, clinician, patient):
    visit = record(patient, clinician, "negative")
    client.force_login(clinician)

    response = client.post(
        reverse("screening:visit_amend", args=[visit.pk]),
        form_data(ANSWERS["back_pain"], amendment_reason="   "),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Say why the visit is amended." in html
    assert "nothing was saved" in html
    assert Visit.objects.filter(amends=visit).count() == 0


@pytest.mark.django_db
def test_reason_is_stored_on_the_amending_visit_and_shown_on_both_pages(client, clinician, patient):
    original = record(patient, clinician, "negative")
    client.force_login(clinician)

    client.post(
        reverse("screening:visit_amend", args=[original.pk]),
        form_data(ANSWERS["back_pain"], amendment_reason="  Backache answer misheard.  "),
    )

    amended = Visit.objects.get(amends=original)
    assert amended.amendment_reason == "Backache answer misheard."
    assert Visit.objects.get(pk=original.pk).amendment_reason == ""
    old_page = page(client, clinician, original.get_absolute_url())
    assert "Reason given by dr_clinician: Backache answer misheard." in old_page
    new_page = page(client, clinician, amended.get_absolute_url())
    assert "Reason: Backache answer misheard." in new_page


@pytest.mark.django_db
def test_amended_visit_shows_a_before_after_table_of_what_changed(client, clinician, patient):
    original = record(patient, clinician, "negative")
    client.force_login(clinician)
    client.post(
        reverse("screening:visit_amend", args=[original.pk]),
        form_data(ANSWERS["back_pain"], amendment_reason="Misheard.", height_cm="170"),
    )
    amended = Visit.objects.get(amends=original)

    html = page(client, clinician, original.get_absolute_url())

    table = html[html.index('data-testid="amendment-changes"') :]
    table = table[: table.index("</table>")]
    assert f"Before (visit {original.pk})" in table
    assert f"After (visit {amended.pk})" in table
    assert (
        "<tr><td>In the past 30 days, how often have you experienced backaches?</td>"
        "<td>Not at all</td><td>Almost every day</td></tr>"
    ) in table
    assert (
        "<tr><td>Result: back pain</td><td>Does not meet the criterion</td>"
        "<td>Meets the criterion</td></tr>"
    ) in table
    assert "<td>Not recorded</td><td>170.0</td>" in table
    assert table.count("<tr>") == 4  # header, backache, back-pain result, height
