"""What a shared screen or pasted text could expose or fake: page titles, unseen characters."""

import re

import pytest
from django.urls import reverse

from patients.models import Patient
from tests.factories import PatientFactory
from tests.integration.test_patients import registration

pytestmark = pytest.mark.django_db


def test_page_titles_never_carry_the_patient_name_or_mrn(client, clinician):
    patient = PatientFactory(mrn="MRN-77120", given_name="Wilhelmina", family_name="Oyelaran")
    client.force_login(clinician)
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Oyelaran" in page  # the record is shown; only the title keeps it back
    for identifier in ("Oyelaran", "Wilhelmina", "MRN-77120"):
        assert identifier not in title
    assert title.startswith("Patient record")


@pytest.mark.parametrize("field", ["mrn", "given_name", "family_name"])
@pytest.mark.parametrize("unseen", ["\ufeff", "\u202e", "\u200b", "\u2066"])
def test_invisible_characters_are_refused_in_mrns_and_names(client, clinician, field, unseen):
    client.force_login(clinician)
    value = registration()[field]
    hostile = value[:2] + unseen + value[2:]

    response = client.post(reverse("patients:new"), registration(**{field: hostile}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Remove the invisible or text-direction characters" in body
    assert f"U+{ord(unseen):04X}" in body
    assert not Patient.objects.exists()
