"""Patient search, registration and the audited patient page (issue 5, point 1)."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from patients.models import Patient
from tests.factories import PatientFactory

SEARCH = reverse("patients:search")
REGISTER = reverse("patients:new")


@pytest.fixture
def signed_in(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def jose(clinician):
    return PatientFactory(
        mrn="MRN-4411",
        given_name="José",
        family_name="Núñez",
        date_of_birth=dt.date(1971, 3, 9),
        created_by=clinician,
    )


def search(client: Any, query: str, page: int | None = None) -> str:
    """Post the search, then follow the redirect as a browser does; the page of results."""
    posted = client.post(SEARCH, {"q": query})
    assert (posted.status_code, posted.url) == (302, f"{SEARCH}?page=1")
    response = client.get(SEARCH, {"page": str(page or 1)})
    assert response.status_code == 200
    return response.content.decode()


def registration(**overrides: Any) -> dict[str, str]:
    data = {
        "mrn": "MRN-9001",
        "given_name": "Maria",
        "family_name": "Santos",
        "date_of_birth": "1980-06-15",
        "sex": "female",
        "education": "bachelors_plus",
        "earnings": "50k_75k",
    }
    return data | overrides


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        *("MRN-4411", "mrn-44", "4411", "jose", "NUÑ", "nunez", "José Núñez"),
        *("1971-03-09", "03/09/1971", "3/9/1971", "03-09-1971"),
    ],
)
def test_patient_is_found_when_searched_by_mrn_name_part_or_date_of_birth(signed_in, jose, query):
    PatientFactory(mrn="MRN-1", given_name="Ann", family_name="Other", created_by=jose.created_by)

    html = search(signed_in, query)

    assert "1 patient matches" in html
    assert f'href="{jose.get_absolute_url()}"' in html
    assert "Other, Ann" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["44", "09/03/1971", "13/09/1971", "1971/03/09"])
def test_short_mrn_parts_and_day_first_dates_find_no_one_when_searched(signed_in, jose, query):
    html = search(signed_in, query)  # 09/03/1971 is read month first: September 3rd

    assert "0 patients match" in html


@pytest.mark.django_db
def test_a_us_date_is_audited_as_a_date_of_birth_search(signed_in, jose):
    search(signed_in, "03/09/1971")

    audit = Audit.objects.get(action=AuditAction.PATIENT_SEARCH)
    assert audit.detail == {"by": "date_of_birth", "results": 1, "page": 1}


@pytest.mark.django_db
def test_empty_state_offers_registration_when_nothing_matches(signed_in, jose):
    html = search(signed_in, "Zebedee")

    assert 'data-testid="empty-state"' in html
    assert f'<a class="btn btn-primary" href="{REGISTER}">Register a new patient</a>' in html


@pytest.mark.django_db
def test_search_is_audited_without_the_search_text(signed_in, jose):
    search(signed_in, "Núñez")

    audit = Audit.objects.get(action=AuditAction.PATIENT_SEARCH)
    assert audit.detail == {"by": "mrn_or_name", "results": 1, "page": 1}
    assert "Núñez" not in str(audit.detail)


@pytest.mark.django_db
def test_a_query_string_search_shows_no_patients(signed_in, jose):
    response = signed_in.get(SEARCH, {"q": "jose"})

    assert response.status_code == 200
    assert "Núñez" not in response.content.decode()


@pytest.mark.django_db
def test_results_show_again_without_the_search_text_in_any_url_when_reloaded(signed_in, jose):
    search(signed_in, "Núñez")

    reloaded = signed_in.get(SEARCH, {"page": "1"})

    assert "1 patient matches" in reloaded.content.decode()
    assert 'value="Núñez"' in reloaded.content.decode()  # the box shows the current search
    assert Audit.objects.filter(action=AuditAction.PATIENT_SEARCH).count() == 2  # each showing


@pytest.mark.django_db
def test_search_is_forgotten_when_cleared(signed_in, jose):
    search(signed_in, "Núñez")

    cleared = signed_in.post(SEARCH, {"q": "Núñez", "clear": "1"})
    after = signed_in.get(SEARCH, {"page": "1"}).content.decode()

    assert cleared.url == SEARCH
    assert "Núñez" not in after
    assert "Search by medical record number" in after


@pytest.mark.django_db
def test_an_empty_search_is_refused_and_keeps_the_previous_one(signed_in, jose):
    search(signed_in, "Núñez")

    refused = signed_in.post(SEARCH, {"q": " "})

    assert refused.status_code == 200
    assert "Enter an MRN, a name or a date of birth to search." in refused.content.decode()
    assert "1 patient matches" in signed_in.get(SEARCH, {"page": "1"}).content.decode()


@pytest.mark.django_db
def test_patients_page_alone_lists_no_one_when_a_search_is_kept(signed_in, jose):
    search(signed_in, "Núñez")
    audited = Audit.objects.filter(action=AuditAction.PATIENT_SEARCH).count()

    page = signed_in.get(SEARCH).content.decode()

    assert "Núñez, José" not in page
    assert 'value="Núñez"' in page  # one click runs it again
    assert Audit.objects.filter(action=AuditAction.PATIENT_SEARCH).count() == audited


@pytest.mark.django_db
def test_pages_with_patient_data_are_never_stored_by_the_browser(signed_in, jose):
    search(signed_in, "Núñez")

    for url in (f"{SEARCH}?page=1", jose.get_absolute_url()):
        assert "no-store" in signed_in.get(url)["Cache-Control"], url


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["²", "9" * 5000, "-3", "0x10", ""])  # not "page": Playwright's
def test_any_page_number_shows_a_page_without_an_error(signed_in, jose, number):
    search(signed_in, "Núñez")

    assert signed_in.get(SEARCH, {"page": number}).status_code == 200
    assert signed_in.get(jose.get_absolute_url(), {"page": number}).status_code == 200


@pytest.mark.django_db
def test_results_come_25_to_a_page_when_many_patients_match(signed_in, clinician):
    for number in range(30):
        PatientFactory(given_name=f"Sam{number:02d}", family_name="Smith", created_by=clinician)

    first = search(signed_in, "smith")
    second = search(signed_in, "smith", page=2)

    assert "30 patients match" in first
    assert first.count("Smith, Sam") == 25
    assert "Page 1 of 2" in first
    assert second.count("Smith, Sam") == 5
    assert "Smith, Sam29" in second
    assert 'href="?page=1">Previous page' in second


@pytest.mark.django_db
def test_an_exact_mrn_finds_that_patient_alone_when_searched(signed_in, jose):
    PatientFactory(
        mrn="MRN-44110", given_name="Ann", family_name="Other", created_by=jose.created_by
    )

    exact = search(signed_in, "MRN-4411")
    partial = search(signed_in, "MRN-441")

    assert "1 patient matches" in exact
    assert "Other, Ann" not in exact
    assert "2 patients match" in partial
    assert "Other, Ann" in partial


@pytest.mark.django_db
def test_the_count_stops_at_1000_with_a_message_when_more_patients_match(signed_in, clinician):
    Patient.objects.bulk_create(
        Patient(
            mrn=f"BULK-{number:05d}",
            given_name="Zoë",
            family_name=f"Abbott{number:05d}",
            date_of_birth=dt.date(1970, 1, 1),
            sex="female",
            created_by=clinician,
        )
        for number in range(1001)
    )

    first = search(signed_in, "zoe")
    last = search(signed_in, "zoe", page=40)

    assert "More than 1,000 patients match" in first
    assert "Page 1 of 40" in first
    assert "Abbott00999, Zoë" in last
    assert "Abbott01000" not in last
    audit = Audit.objects.filter(action=AuditAction.PATIENT_SEARCH).latest("id")
    assert audit.detail["results"] == 1000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("núñez", "patient_family_folded_trgm"),
        ("jose", "patient_given_folded_trgm"),
        ("4411", "patient_mrn_trgm"),
    ],
)
def test_a_search_can_use_its_trigram_index(jose, query, index):
    from django.db import connection

    from patients.selectors import search_patients

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
        plan = search_patients(query).order_by().explain()
    assert index in plan


@pytest.mark.django_db
def test_patient_is_registered_and_audited_when_the_form_is_valid(signed_in, clinician):
    response = signed_in.post(REGISTER, registration())

    patient = Patient.objects.get(mrn="MRN-9001")
    assert response.url == patient.get_absolute_url()
    assert (patient.education, patient.earnings, patient.created_by) == (
        "bachelors_plus",
        "50k_75k",
        clinician,
    )
    audit = Audit.objects.get(action=AuditAction.PATIENT_CREATE)
    assert (audit.patient, audit.actor) == (patient, clinician)


@pytest.mark.django_db
def test_education_and_earnings_may_be_left_unrecorded(signed_in):
    signed_in.post(REGISTER, registration(education="", earnings=""))

    patient = Patient.objects.get(mrn="MRN-9001")
    assert (patient.education, patient.earnings) == (None, None)


@pytest.mark.django_db
def test_likely_duplicate_is_shown_and_must_be_confirmed_when_name_and_birth_date_match(
    signed_in, jose
):
    data = registration(given_name="jose", family_name="NUNEZ", date_of_birth="1971-03-09")

    warned = signed_in.post(REGISTER, data)

    html = warned.content.decode()
    assert "A patient with the same name and date of birth is already registered" in html
    assert f'href="{jose.get_absolute_url()}"' in html
    assert "I have checked the warnings above" in html
    assert Patient.objects.count() == 1

    confirmed = signed_in.post(REGISTER, data | {"confirm": "on"})

    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


@pytest.mark.django_db
def test_age_under_18_is_warned_and_must_be_confirmed(signed_in):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16) - dt.timedelta(days=3)
    data = registration(date_of_birth=born.isoformat())

    warned = signed_in.post(REGISTER, data)

    assert "The patient is 16 years old" in warned.content.decode()
    assert not Patient.objects.exists()
    signed_in.post(REGISTER, data | {"confirm": "on"})
    assert Patient.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "The date of birth is in the future."),
        ({"date_of_birth": "1899-12-31"}, "before 1900"),
        ({"date_of_birth": "15/06/1980"}, "Enter a valid date."),
        ({"mrn": "MRN-4411"}, "This MRN is already registered to another patient."),
        ({"sex": ""}, "This field is required."),
        ({"given_name": ""}, "This field is required."),
        ({"earnings": "lots"}, "Select a valid choice."),
    ],
)
def test_registration_is_refused_with_a_message_when_a_value_is_invalid(
    signed_in, jose, overrides, message
):
    response = signed_in.post(REGISTER, registration(**overrides))

    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_opening_a_patient_page_is_audited_with_who_and_when(signed_in, clinician, jose):
    before = timezone.now()

    response = signed_in.get(jose.get_absolute_url())

    assert response.status_code == 200
    audit = Audit.objects.get(action=AuditAction.PATIENT_VIEW)
    assert (audit.actor, audit.patient, audit.object_id) == (clinician, jose, str(jose.pk))
    assert audit.at >= before


@pytest.mark.django_db
def test_patient_page_is_not_found_when_the_patient_does_not_exist(signed_in):
    assert signed_in.get(reverse("patients:detail", args=[987654])).status_code == 404
    assert not Audit.objects.filter(action=AuditAction.PATIENT_VIEW).exists()


@pytest.mark.django_db
def test_patient_pages_are_forbidden_when_the_user_has_no_role(client, no_role_user, jose):
    client.force_login(no_role_user)

    assert client.post(SEARCH, {"q": "jose"}).status_code == 403
    assert client.post(REGISTER, registration()).status_code == 403
    assert client.get(jose.get_absolute_url()).status_code == 403
    assert not Audit.objects.filter(action=AuditAction.PATIENT_VIEW).exists()
