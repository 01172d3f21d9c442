"""Excel exports: the same rows as the CSV with real dates and numbers, a frozen header row and a
sheet describing every column."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from screening import questionnaire
from tests.factories import PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DEPRESSED = {
    "backache_freq_30d": "almost_every_day",
    "da_sad_2wk": "yes",
    "da_duration": "all_day_long",
    "da_frequency": "every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": False,
    "da_appetite_increased": False,
    "da_sleep_trouble": False,
    "da_concentration": True,
    "da_worthless": True,
    "da_death_thoughts": False,
}


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def fetch(client, export_format: str = "xlsx", **params):
    query = {
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": export_format,
        "labels": "codes",
        "dates": "shifted",
        **params,
    }
    response = client.get(reverse("exports:export_download"), query)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def workbook(client, **params):
    body, _ = fetch(client, **params)
    return load_workbook(io.BytesIO(body))


def sheet_rows(book) -> list[dict]:
    rows = list(book["Visits"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def visit():
    patient = PatientFactory(date_of_birth=dt.date(1980, 1, 31), given_name="=2+3")
    return VisitFactory(
        patient=patient,
        answers=DEPRESSED,
        visit_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=3),
        height_cm=Decimal("180.5"),
        weight_kg=Decimal("90.0"),
    )


def test_cells_hold_real_dates_numbers_and_booleans_when_exported(signed_in, visit):
    book = workbook(signed_in)
    (row,) = sheet_rows(book)
    assert row["visit_at"] == visit.visit_at.astimezone(dt.UTC).replace(tzinfo=None)
    assert row["date_of_birth"].date() == dt.date(1980, 1, 31)  # a date cell, not text
    assert row["symptom_count"] == 4
    assert row["height_cm"] == 180.5
    assert row["bmi"] == 27.6
    assert row["age_at_visit"] == visit.patient.age_on(timezone.localdate(visit.visit_at))
    assert row["back_pain"] is True
    assert row["da_lost_interest"] is True
    assert row["da_sleep_trouble"] is False
    assert row["da_sleep_frequency"] is None  # not asked: an empty cell
    assert row["an_lost_interest_2wk"] is None
    assert row["backache_freq_30d"] == "almost_every_day"
    assert row["given_name"] == "'=2+3"  # text, never a formula


def test_header_is_frozen_and_matches_the_csv_when_exported(signed_in, visit):
    book = workbook(signed_in)
    sheet = book["Visits"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1])
    csv_body, _ = fetch(signed_in, "csv")
    assert header == next(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))


def test_rows_agree_with_the_csv_cell_for_cell_when_labels_are_chosen(signed_in, visit):
    VisitFactory(smoking="current", presenting_concern="both", antidepressant_use=False)
    excel = sheet_rows(workbook(signed_in, labels="labels"))
    body, _ = fetch(signed_in, "csv", labels="labels")
    text = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(excel) == len(text) == 2

    def as_csv(key, value):
        if value is None:
            return ""
        if isinstance(value, dt.datetime) and key == "visit_at":
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if key in {"height_cm", "weight_kg", "bmi"}:
            return f"{value:.1f}"  # Excel reads 90.0 back as 90
        return str(value)

    for from_excel, from_csv in zip(excel, text, strict=True):
        assert {k: as_csv(k, v) for k, v in from_excel.items()} == from_csv
    assert excel[0]["da_lost_interest"] == "Yes"
    assert excel[0]["backache_freq_30d"] == "Almost every day"


def test_columns_sheet_describes_every_column_when_exported(signed_in, visit):
    book = workbook(signed_in, midus_names="on")
    header = [cell.value for cell in book["Visits"][1]]
    about = list(book["Columns"].iter_rows(values_only=True))
    assert about[0] == ("Column", "Group", "Description (item wording)", "MIDUS variable",
                        "Codes and labels")  # fmt: skip
    described = {row[0]: row for row in about[1:]}
    assert list(described) == header
    item = questionnaire.ITEMS["da_sad_2wk"]
    assert described["B1PA60"][2] == item.text
    assert described["B1PA60"][3] == "B1PA60"
    assert "yes = Yes" in described["B1PA60"][4]
    assert "on_antidepressants = Was on anti-depressants (volunteered)" in described["B1PA60"][4]
    assert described["B1PA63"][4].startswith("true = Yes")
    assert "UTC" in described["visit_at"][2]


def test_workbook_is_sent_with_its_length_and_row_count_when_exported(signed_in, visit):
    body, response = fetch(signed_in)
    assert int(response["Content-Length"]) == len(body)
    assert response["X-Export-Rows"] == "1"
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_query_count_stays_the_same_when_more_visits_are_exported(signed_in, visit):
    fetch(signed_in)
    with CaptureQueriesContext(connection) as few:
        fetch(signed_in)
    for _ in range(6):
        VisitFactory()
    with CaptureQueriesContext(connection) as many:
        body, _ = fetch(signed_in)
    assert len(sheet_rows(load_workbook(io.BytesIO(body)))) == 7
    assert len(many) == len(few)
