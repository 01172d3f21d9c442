"""De-identified exports: no Safe Harbor identifier of the test patients in any file; stable
pseudonyms, per-patient date shifts that keep intervals, ages over 89 grouped."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.db.models import Value
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from exports import deidentify
from tests.factories import PatientFactory, UserFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_key")]

TODAY = timezone.localdate()
DEPRESSED = {
    "backache_freq_30d": "several_times_a_week",
    "da_sad_2wk": "yes",
    "da_duration": "most_of_the_day",
    "da_frequency": "almost_every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": True,
    "da_sleep_trouble": True,
    "da_sleep_frequency": "nearly_every_night",
    "da_concentration": True,
    "da_worthless": False,
    "da_death_thoughts": True,
}


@pytest.fixture
def fixed_key():
    with override_settings(PSEUDONYM_KEY="test-pseudonym-key"):
        yield


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def at(day: dt.date, hour: int = 14, minute: int = 37) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def fetch(client, export_format: str, **params) -> bytes:
    query = {
        "date_from": (TODAY - dt.timedelta(days=60)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": export_format,
        "labels": "codes",
        "deidentified": "on",
        "dates": "shifted",
        **params,
    }
    query = {key: value for key, value in query.items() if value is not None}
    response = client.get(reverse("exports:export_download"), query)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


@pytest.fixture
def patients():
    """Three patients with identifiers distinctive enough to find anywhere in a file."""
    clinician = UserFactory(username="drzebulonwhitlock")
    made = []
    for number, (given, family, born) in enumerate(
        [
            ("Philomena", "Thistlewood", dt.date(1961, 3, 17)),
            ("Bartholomew", "Quenneville", dt.date(1930, 11, 28)),  # over 89 at the visit
            ("Rosalind", "Okonkwo-Fairbanks", dt.date(1988, 8, 4)),
        ]
    ):
        patient = PatientFactory(
            id=7_310_000 + number,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            mrn=f"ZX-{48_152_600 + number}",
        )
        visits = [
            VisitFactory(
                id=9_420_000 + number * 10 + k,
                patient=patient,
                clinician=clinician,
                answers=DEPRESSED if k == 0 else None,
                visit_at=at(TODAY - dt.timedelta(days=40 - 11 * k - number)),
            )
            for k in range(2)
        ]
        made.append((patient, visits))
    return made


def _date_forms(day: dt.date) -> list[str]:
    excel_serial = (day - dt.date(1899, 12, 30)).days
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%m/%d/%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%-m/%-d/%Y"),
        day.strftime("%B %-d, %Y"),
        day.strftime("%d %b %Y"),
        f"<v>{excel_serial}<",  # how an XLSX cell stores a date
        f"<v>{excel_serial}.",  # ... or a date and time
    ]


def identifiers(patients) -> list[str]:
    """Every Safe Harbor identifier the app holds for these patients, in the forms it could take."""
    found = ["drzebulonwhitlock"]
    for patient, visits in patients:
        found += [patient.given_name, patient.family_name, patient.mrn, str(patient.pk)]
        found += _date_forms(patient.date_of_birth)
        for visit in visits:
            found.append(str(visit.pk))
            found += _date_forms(timezone.localdate(visit.visit_at))
            found.append(visit.visit_at.strftime("%H:%M"))
    return found


def assert_no_identifier(data: bytes, patients) -> None:
    text = data.decode("utf-8", errors="replace").lower()
    leaked = [value for value in identifiers(patients) if value.lower() in text]
    assert leaked == []


@pytest.mark.parametrize("dates", ["shifted", "year"])
@pytest.mark.parametrize("labels", ["codes", "labels"])
def test_csv_holds_no_identifier_when_deidentified(signed_in, patients, dates, labels):
    body = fetch(signed_in, "csv", dates=dates, labels=labels)
    assert len(csv_rows(body)) == 6
    assert_no_identifier(body, patients)


@pytest.mark.parametrize("dates", ["shifted", "year"])
def test_xlsx_holds_no_identifier_when_deidentified(signed_in, patients, dates):
    body = fetch(signed_in, "xlsx", dates=dates)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            assert_no_identifier(archive.read(name), patients)


@pytest.mark.parametrize("dates", ["shifted", "year"])
def test_fhir_holds_no_identifier_and_no_patient_when_deidentified(signed_in, patients, dates):
    body = fetch(signed_in, "fhir", dates=dates)
    assert_no_identifier(body, patients)
    assert b'"resourceType":"Patient"' not in body
    assert body.count(b'"resourceType":"QuestionnaireResponse"') == 6


def test_identifying_columns_are_dropped_when_deidentified(signed_in, patients):
    header = list(csv_rows(fetch(signed_in, "csv"))[0])
    for column in ("visit_id", "visit_at", "amends_visit_id", "clinician", "patient_id", "mrn",
                   "family_name", "given_name", "date_of_birth"):  # fmt: skip
        assert column not in header
    for column in ("patient_pseudonym", "visit_date", "age_at_visit", "sex", "education",
                   "earnings", "bmi"):  # fmt: skip
        assert column in header


def test_pseudonyms_are_keyed_hashes_stable_across_exports_when_deidentified(signed_in, patients):
    first = csv_rows(fetch(signed_in, "csv"))
    again = csv_rows(fetch(signed_in, "csv"))
    expected = {deidentify.pseudonym("patient", patient.pk) for patient, _ in patients}
    assert {row["patient_pseudonym"] for row in first} == expected
    assert [row["patient_pseudonym"] for row in again] == [r["patient_pseudonym"] for r in first]
    assert all(len(value) == deidentify.PSEUDONYM_LENGTH for value in expected)
    with override_settings(PSEUDONYM_KEY="another-clinic-key"):
        other = csv_rows(fetch(signed_in, "csv"))
    assert {row["patient_pseudonym"] for row in other}.isdisjoint(expected)


def test_dates_move_by_one_offset_per_patient_so_intervals_hold_when_shifted(signed_in, patients):
    rows = csv_rows(fetch(signed_in, "csv"))
    for patient, visits in patients:
        mine = [row for row in rows if row["patient_pseudonym"] == deidentify.pseudonym(
            "patient", patient.pk)]  # fmt: skip
        shifted = sorted(dt.date.fromisoformat(row["visit_date"]) for row in mine)
        real = sorted(timezone.localdate(visit.visit_at) for visit in visits)
        offset = deidentify.shift_days(patient.pk)
        assert shifted == [day + dt.timedelta(days=offset) for day in real]
        assert shifted[1] - shifted[0] == real[1] - real[0]


def test_only_the_year_is_kept_when_year_only_is_chosen(signed_in, patients):
    rows = csv_rows(fetch(signed_in, "csv", dates="year"))
    assert "visit_date" not in rows[0]
    years = {str(timezone.localdate(v.visit_at).year) for _, visits in patients for v in visits}
    assert {row["visit_year"] for row in rows} == years


def test_ages_over_89_read_90_plus_when_deidentified(signed_in, patients):
    rows = csv_rows(fetch(signed_in, "csv"))
    by_patient = {row["patient_pseudonym"]: row["age_at_visit"] for row in rows}
    (young, _), (old, _), _ = patients
    assert by_patient[deidentify.pseudonym("patient", old.pk)] == "90+"
    assert by_patient[deidentify.pseudonym("patient", young.pk)] == str(
        young.age_on(timezone.localdate(patients[0][1][0].visit_at))
    )


def test_audit_marks_the_export_deidentified_when_deidentified(signed_in, patients):
    fetch(signed_in, "fhir")
    detail = Audit.objects.get(action=AuditAction.EXPORT).detail
    assert detail["deidentified"] is True
    assert detail["format"] == "fhir"
    assert detail["row_count"] == 6


@pytest.mark.parametrize("key", ["k", "test-pseudonym-key", "ключ-🔑", "x" * 100])
def test_sql_pseudonyms_and_shifts_equal_the_python_rules_when_computed_in_postgres(key):
    ids = [1, 2, 42, 7_310_001, 2**31 + 5, 2**40 + 3]
    with override_settings(PSEUDONYM_KEY=key):
        for row_id in ids:
            annotated = Group.objects.annotate(
                pseudonym=deidentify.pseudonym_sql("patient", Value(row_id)),
                shift=deidentify.shift_days_sql(Value(row_id)),
            ).values_list("pseudonym", "shift")[0]
            assert annotated == (
                deidentify.pseudonym("patient", row_id),
                deidentify.shift_days(row_id),
            )


def test_shifts_are_never_zero_and_at_most_182_days_either_way():
    shifts = [deidentify.shift_days(patient_id) for patient_id in range(1, 5001)]
    assert 0 not in shifts
    assert min(shifts) == -182
    assert max(shifts) == 182
    assert deidentify.age_group(89) == "89"
    assert deidentify.age_group(90) == "90+"


def test_the_scan_finds_identifiers_when_the_export_is_identified(signed_in, patients):
    """The identifier scan above would notice a leak: it flags the identified file."""
    body = fetch(signed_in, "csv", deidentified=None)
    with pytest.raises(AssertionError):
        assert_no_identifier(body, patients)


@pytest.fixture
def instruments_of(patients):
    """A PHQ-9 for each test patient, against a flag, at a minute no visit has."""
    from tests.factories import FlagFactory, RecordedInstrumentFactory

    recorded = []
    for number, (patient, visits) in enumerate(patients):
        flag = FlagFactory(id=6_640_000 + number, visit=visits[0], patient=patient)
        recorded.append(
            RecordedInstrumentFactory(
                id=8_530_000 + number,
                patient=patient,
                flag=flag,
                instrument="phq9",
                clinician=visits[0].clinician,
                administered_at=visits[0].visit_at + dt.timedelta(days=2, minutes=6),
            )
        )
    return recorded


def instrument_identifiers(patients, recorded) -> list[str]:
    found = identifiers(patients)
    for instrument in recorded:
        found += [str(instrument.pk), str(instrument.flag_id)]
        found += _date_forms(timezone.localdate(instrument.administered_at))
        found.append(instrument.administered_at.strftime("%H:%M"))
    return found


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "fhir"])
@pytest.mark.parametrize("dates", ["shifted", "year"])
def test_instruments_hold_no_identifier_when_deidentified(
    signed_in, patients, instruments_of, export_format, dates
):
    body = fetch(signed_in, export_format, dataset="instruments", dates=dates)
    if export_format == "xlsx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = [archive.read(name) for name in archive.namelist()]
    else:
        parts = [body]
    for part in parts:
        text = part.decode("utf-8", errors="replace").lower()
        leaked = [v for v in instrument_identifiers(patients, instruments_of) if v.lower() in text]
        assert leaked == []
    if export_format == "csv":
        assert len(csv_rows(body)) == 3


def test_instrument_scan_finds_the_identifiers_when_identified(signed_in, patients, instruments_of):
    body = fetch(signed_in, "csv", dataset="instruments", deidentified=None).decode("utf-8-sig")

    for instrument in instruments_of:
        assert instrument.patient.mrn in body
        assert str(instrument.pk) in body
        assert str(instrument.flag_id) in body
        assert instrument.administered_at.strftime("%H:%M") in body
