"""Exports of recorded instruments: their keys as columns, the result keys, the de-identified
mode as for visits, the workbook beside the CSV, the command and the audit trail."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Audit, AuditAction
from exports import deidentify
from screening import instruments
from screening.models import FlagKind, FlagStatus
from tests.factories import (
    INSTRUMENT_ANSWERS,
    FlagFactory,
    PatientFactory,
    RecordedInstrumentFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
KEYS = [
    *(f"asq_{n}" for n in range(1, 6)),
    *(f"phq9_{n}" for n in range(1, 10)),
    "phq9_difficulty",
    "lbp_duration",
    "lbp_frequency",
    "peg_pain",
    "peg_enjoyment",
    "peg_activity",
]
RESULT_KEYS = [
    "result",
    "positive",
    "acute",
    "score",
    "band",
    "mdd_algorithm",
    "safety",
    "chronic",
    "peg_score",
    "rules_version",
]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def recorded(reviewer):
    """An ASQ against a safety flag, a PHQ-9 of 12 and a chronic LBP+PEG, one patient each."""
    patient = PatientFactory(
        mrn="MRN-ASQ", given_name="Ada", family_name="Quill", date_of_birth=dt.date(1960, 5, 1)
    )
    flag = FlagFactory(visit__patient=patient, kind=FlagKind.SAFETY)
    asq = RecordedInstrumentFactory(
        patient=patient,
        flag=flag,
        instrument="asq",
        answers=INSTRUMENT_ANSWERS["asq_acute"],
        clinician=reviewer,
        administered_at=at(TODAY - dt.timedelta(days=3)),
    )
    phq9 = RecordedInstrumentFactory(
        instrument="phq9",
        answers=INSTRUMENT_ANSWERS["phq9_12"],
        administered_at=at(TODAY - dt.timedelta(days=2)),
    )
    lbp = RecordedInstrumentFactory(
        instrument="lbp_peg",
        answers=INSTRUMENT_ANSWERS["lbp_chronic"],
        administered_at=at(TODAY - dt.timedelta(days=1)),
    )
    return {"asq": asq, "phq9": phq9, "lbp_peg": lbp, "flag": flag}


def query(**params) -> dict[str, str]:
    chosen = {
        "dataset": "instruments",
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": "csv",
        "labels": "codes",
        "dates": "shifted",
        **params,
    }
    return {key: value for key, value in chosen.items() if value is not None}


def fetch(client, **params) -> bytes:
    response = client.get(reverse("exports:export_download"), query(**params))
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def download(client, **params) -> list[dict[str, str]]:
    body = fetch(client, **params).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def by_instrument(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["instrument"]: row for row in rows}


def test_header_is_the_instrument_keys_then_results_then_who_when_exported(signed_in, recorded):
    header = list(download(signed_in)[0])

    assert header[: len(KEYS)] == KEYS
    assert header[len(KEYS) : len(KEYS) + len(RESULT_KEYS)] == RESULT_KEYS
    assert header[len(KEYS) + len(RESULT_KEYS) :][:6] == [
        "instrument_id",
        "instrument",
        "administered_at",
        "flag_id",
        "amends_id",
        "clinician",
    ]
    for column in ("patient_id", "mrn", "family_name", "given_name", "date_of_birth", "sex"):
        assert column in header


def test_keys_match_the_instruments_questions_when_exported(signed_in, recorded):
    header = list(download(signed_in)[0])

    every_key = [q.key for questions in instruments.QUESTIONS.values() for q in questions]
    assert header[: len(every_key)] == every_key == KEYS


def test_asq_row_holds_its_answers_result_and_flag_when_exported(signed_in, recorded):
    row = by_instrument(download(signed_in))["asq"]

    assert [row[f"asq_{n}"] for n in range(1, 6)] == ["yes", "no", "no", "no", "yes"]
    assert row["result"] == "acute_positive"
    assert row["positive"] == "true"
    assert row["acute"] == "true"
    assert row["score"] == row["band"] == row["peg_score"] == row["phq9_1"] == ""
    assert row["flag_id"] == str(recorded["flag"].pk)
    assert row["instrument_id"] == str(recorded["asq"].pk)
    assert row["mrn"] == "MRN-ASQ"
    assert row["family_name"] == "Quill"
    assert row["rules_version"] == instruments.RULES_VERSION
    assert row["administered_at"].endswith("Z")


def test_phq9_row_holds_items_score_band_and_algorithm_when_exported(signed_in, recorded):
    row = by_instrument(download(signed_in))["phq9"]

    assert [row[f"phq9_{n}"] for n in range(1, 10)] == ["2", "2", "1", "2", "1", "1", "1", "1", "1"]
    assert row["phq9_difficulty"] == "very_difficult"
    assert row["score"] == "12"
    assert row["band"] == "moderate"
    assert row["positive"] == "true"
    assert row["mdd_algorithm"] == "false"
    assert row["safety"] == "true"
    assert row["result"] == row["acute"] == row["asq_1"] == row["flag_id"] == ""


def test_lbp_peg_row_holds_chronicity_and_the_peg_score_when_exported(signed_in, recorded):
    row = by_instrument(download(signed_in))["lbp_peg"]

    assert row["lbp_duration"] == "1_5_years"
    assert row["lbp_frequency"] == "every_day_or_nearly"
    assert (row["peg_pain"], row["peg_enjoyment"], row["peg_activity"]) == ("6", "5", "5")
    assert row["chronic"] == "true"
    assert row["peg_score"] == "5.3"
    assert row["positive"] == "true"


def test_unasked_items_are_empty_never_no_when_exported(signed_in):
    RecordedInstrumentFactory(instrument="asq", answers=INSTRUMENT_ANSWERS["asq_negative"])
    RecordedInstrumentFactory(instrument="phq9", answers=INSTRUMENT_ANSWERS["phq9_0"])

    rows = by_instrument(download(signed_in))

    assert rows["asq"]["asq_5"] == ""
    assert rows["asq"]["result"] == "negative"
    assert rows["asq"]["positive"] == "false"
    assert rows["phq9"]["phq9_difficulty"] == ""
    assert rows["phq9"]["band"] == "minimal"


def test_labels_replace_codes_when_labels_are_chosen(signed_in, recorded):
    labelled = by_instrument(download(signed_in, labels="labels"))
    labels = dict(instruments.Instrument.choices())
    rows = {code: labelled[label] for code, label in labels.items()}

    assert rows["asq"]["asq_1"] == "Yes"
    assert rows["asq"]["positive"] == "Yes"
    assert rows["phq9"]["band"] == "Moderate"
    assert rows["phq9"]["phq9_difficulty"] == "Very difficult"
    assert rows["lbp_peg"]["lbp_duration"] == "1-5 years"
    assert rows["asq"]["instrument"].startswith("ASQ (Ask")


def test_filters_pick_the_instrument_and_flag_when_chosen(signed_in, recorded):
    assert [row["instrument"] for row in download(signed_in, instrument="phq9")] == ["phq9"]
    flagged = download(signed_in, flag_kind=FlagKind.SAFETY, flag_status=FlagStatus.OPEN)
    assert [row["instrument"] for row in flagged] == ["asq"]


def test_only_the_amendment_is_exported_when_current_only(signed_in, recorded):
    old = recorded["phq9"]
    new = RecordedInstrumentFactory(
        patient=old.patient,
        instrument="phq9",
        answers=INSTRUMENT_ANSWERS["phq9_0"],
        amends=old,
        amendment_reason="item 1 was misheard",
        administered_at=old.administered_at,
    )

    current = [row for row in download(signed_in) if row["instrument"] == "phq9"]
    everything = [
        row for row in download(signed_in, current_only=None) if row["instrument"] == "phq9"
    ]

    assert [row["instrument_id"] for row in current] == [str(new.pk)]
    assert current[0]["amends_id"] == str(old.pk)
    assert len(everything) == 2


def test_deidentified_file_holds_no_identifier_and_shifted_dates_when_deidentified(
    signed_in, recorded
):
    body = fetch(signed_in, deidentified="on").decode("utf-8-sig")
    rows = by_instrument(list(csv.DictReader(io.StringIO(body))))
    asq = recorded["asq"]

    for secret in ("MRN-ASQ", "Quill", "Ada", "1960-05-01", "instrument_id", "flag_id", "mrn"):
        assert secret not in body
    row = rows["asq"]
    assert row["patient_pseudonym"] == deidentify.pseudonym(deidentify.PATIENT, asq.patient_id)
    assert row["instrument_pseudonym"] == deidentify.pseudonym(deidentify.INSTRUMENT, asq.pk)
    assert row["flag_pseudonym"] == deidentify.pseudonym(deidentify.FLAG, recorded["flag"].pk)
    assert rows["phq9"]["flag_pseudonym"] == ""  # no flag: empty, not a hash of nothing
    local_day = timezone.localtime(asq.administered_at).date()
    assert row["administered_date"] == deidentify.shift_date(local_day, asq.patient_id).isoformat()
    assert "administered_at" not in row
    assert row["result"] == "acute_positive"  # the measure itself stays


def test_only_the_year_is_kept_when_year_only_is_chosen(signed_in, recorded):
    rows = download(signed_in, deidentified="on", dates="year")

    assert {row["administered_year"] for row in rows} <= {str(TODAY.year), str(TODAY.year - 1)}
    assert "administered_date" not in rows[0]


def test_ages_over_89_read_90_plus_when_deidentified(signed_in):
    old = PatientFactory(date_of_birth=TODAY.replace(year=TODAY.year - 95))
    RecordedInstrumentFactory(patient=old, instrument="phq9")

    (row,) = download(signed_in, deidentified="on")

    assert row["age_at_administration"] == "90+"


def test_workbook_holds_the_csv_values_when_exported_as_xlsx(signed_in, recorded):
    csv_rows = download(signed_in)
    book = load_workbook(io.BytesIO(fetch(signed_in, format="xlsx")))

    sheet = list(book["Instruments"].values)
    header, cells = list(sheet[0]), sheet[1:]
    assert header == list(csv_rows[0])
    assert len(cells) == len(csv_rows) == 3
    for line, values in zip(csv_rows, cells, strict=True):
        row = dict(zip(header, values, strict=True))
        for key in (*KEYS, *RESULT_KEYS, "instrument", "mrn"):
            written = row[key]
            if isinstance(written, bool):
                written = str(written).lower()
            elif isinstance(written, float | Decimal):
                written = f"{written:.1f}"
            assert ("" if written is None else str(written)) == line[key], key
    phq9 = dict(zip(header, next(c for c in cells if "phq9" in c), strict=True))
    assert phq9["score"] == 12  # a number in Excel, not text
    assert isinstance(phq9["administered_at"], dt.datetime)
    described = [row[0] for row in list(book["Columns"].values)[1:]]
    assert described == header


def test_export_is_audited_with_its_dataset_when_downloaded(signed_in, recorded):
    fetch(signed_in)

    audit = Audit.objects.get(action=AuditAction.EXPORT)
    assert audit.detail["dataset"] == "instruments"
    assert audit.detail["row_count"] == 3
    closing = Audit.objects.get(action=AuditAction.EXPORT_COMPLETE)
    assert closing.detail["rows_written"] == 3
    assert "MRN-ASQ" not in str(audit.detail)


def test_page_counts_instruments_when_instruments_are_chosen(signed_in, recorded):
    response = signed_in.get(reverse("exports:exports"), query())

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 instruments match" in page
    assert "What to export" in page
    count = signed_in.get(reverse("exports:export_count"), query(instrument="asq")).json()
    assert count["text"] == "1 instrument matches"


def test_command_writes_the_downloaded_bytes_when_dataset_is_instruments(
    signed_in, admin_user, recorded, tmp_path
):
    downloaded = fetch(signed_in, deidentified="on")
    output = tmp_path / "instruments.csv"

    call_command(
        "export_visits",
        "--user",
        admin_user.username,
        "--output",
        str(output),
        "--dataset",
        "instruments",
        "--from",
        (TODAY - dt.timedelta(days=30)).isoformat(),
        "--deidentified",
    )

    assert output.read_bytes() == downloaded
    audits = Audit.objects.filter(action=AuditAction.EXPORT).order_by("id")
    assert [audit.detail["dataset"] for audit in audits] == ["instruments", "instruments"]
