"""The exports page: admins choose visits and a format and see the count before downloading."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from tests.conftest import make_user
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
URLS = ["exports:exports", "exports:export_count", "exports:export_download"]


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_page_shows_the_count_and_a_download_link_when_an_admin_opens_it(signed_in):
    for days in (1, 5, 29):
        VisitFactory(visit_at=timezone.now() - dt.timedelta(days=days))
    VisitFactory(visit_at=timezone.now() - dt.timedelta(days=40))
    response = signed_in.get(reverse("exports:exports"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 visits match" in page
    assert "Download <span data-export-format>CSV</span>" in page
    assert f"date_from={(TODAY - dt.timedelta(days=30)).isoformat()}" in page
    for label in ("Visits from", "Visits to (inclusive)", "Clinician", "Back pain",
                  "Major depression", "Flag kind", "Flag status", "Current visits only",
                  "Format", "Codes", "Labels", "MIDUS variable", "De-identified",
                  "Year only"):  # fmt: skip
        assert label in page
    assert not Audit.objects.filter(action=AuditAction.EXPORT).exists()  # counting is not export


def test_count_follows_the_choices_when_the_form_is_submitted(signed_in, clinician):
    VisitFactory(clinician=clinician)
    VisitFactory()
    query = {
        "date_from": (TODAY - dt.timedelta(days=7)).isoformat(),
        "date_to": TODAY.isoformat(),
        "clinician": clinician.pk,
        "current_only": "on",
        "format": "xlsx",
        "labels": "labels",
        "dates": "year",
    }
    page = signed_in.get(reverse("exports:exports"), query).content.decode()
    assert "1 visit matches" in page
    assert "Download <span data-export-format>Excel (XLSX)</span>" in page
    assert f"clinician={clinician.pk}" in page


def test_page_says_so_when_no_visit_matches(signed_in):
    page = signed_in.get(reverse("exports:exports")).content.decode()
    assert "0 visits match" in page
    assert "No visits match: widen the dates or clear a filter." in page


def test_page_names_the_problem_when_the_dates_are_reversed(signed_in):
    query = {"date_from": "2026-03-01", "date_to": "2026-02-01", "format": "csv",
             "labels": "codes", "dates": "shifted"}  # fmt: skip
    page = signed_in.get(reverse("exports:exports"), query).content.decode()
    assert "The end date is before the start date." in page
    assert "Correct the choices above" in page


def test_count_endpoint_answers_json_when_asked(signed_in):
    VisitFactory()
    query = {"date_from": TODAY.isoformat(), "date_to": TODAY.isoformat(), "format": "csv",
             "labels": "codes", "dates": "shifted", "current_only": "on"}  # fmt: skip
    data = signed_in.get(reverse("exports:export_count"), query).json()
    assert data == {"count": 1, "text": "1 visit matches", "job": False}
    bad = signed_in.get(reverse("exports:export_count"), {**query, "date_from": "soon"})
    assert bad.status_code == 400
    assert "date_from" in bad.json()["errors"]


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("role", ["clinician", "reviewer"])
def test_other_roles_get_403_when_opening_exports(client, name, role):
    client.force_login(make_user(f"export_{role}", role))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_sign_in_when_opening_exports(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_download_answers_405_when_posted(signed_in):
    assert signed_in.post(reverse("exports:export_download")).status_code == 405
