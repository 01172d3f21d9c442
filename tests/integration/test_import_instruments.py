"""`manage.py import_instruments`: every row checked through screening.instruments first, then
all recorded in one transaction or none, with the flags and audit rows of record_instrument."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Audit, AuditAction
from screening.importing.instruments import COLUMNS
from screening.models import Flag, FlagKind, RecordedInstrument
from tests.factories import INSTRUMENT_ANSWERS, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients():
    first = PatientFactory(mrn="A001", family_name="Lovelace")
    second = PatientFactory(mrn="A002")
    VisitFactory(patient=first)
    VisitFactory(patient=second)
    return first, second


def row(instrument: str, answers: str, mrn: str = "A001", **values: Any) -> dict[str, Any]:
    chosen = {key: value for key, value in INSTRUMENT_ANSWERS[answers].items() if value is not None}
    return {"mrn": mrn, "administered_at": "2025-03-01T10:00", "instrument": instrument} | (
        chosen | values
    )


def write_csv(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for values in rows:
        writer.writerow(values)
    path = tmp_path / "instruments.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run(path: Path, user) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_instruments", str(path), "--clinician", user.username, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def failing(path: Path, user) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_instruments", str(path), "--clinician", user.username, stderr=err)
    assert raised.value.returncode == 2
    return f"{err.getvalue()}\n{raised.value}"


def test_rows_are_recorded_with_their_scores_when_the_file_is_valid(tmp_path, clinician, patients):
    path = write_csv(
        tmp_path,
        [
            row("asq", "asq_negative"),
            row("phq9", "phq9_0", mrn="A002", administered_at="2025-03-02T09:30"),
            row("lbp_peg", "lbp_chronic"),
        ],
    )

    out, _ = run(path, clinician)

    assert "Imported 3 instruments" in out
    recorded = {r.instrument: r for r in RecordedInstrument.objects.all()}
    assert recorded["asq"].result == {"result": "negative", "positive": False, "acute": False}
    assert recorded["asq"].answers["asq_5"] is None
    assert recorded["phq9"].result["score"] == 0
    assert recorded["phq9"].patient == patients[1]
    assert recorded["lbp_peg"].result == {"chronic": True, "peg_score": 5.3, "positive": True}
    assert recorded["lbp_peg"].answers["peg_pain"] == 6  # a number, not the CSV's text
    assert {r.clinician for r in recorded.values()} == {clinician}


def test_nothing_is_written_and_the_row_and_key_are_named_when_one_row_is_bad(
    tmp_path, clinician, patients
):
    path = write_csv(
        tmp_path,
        [
            row("asq", "asq_negative"),
            row("phq9", "phq9_12", phq9_4="4"),
            row("asq", "asq_negative", asq_5="no"),
            row("lbp_peg", "lbp_chronic", mrn="Z999"),
            row("asq", "asq_acute", asq_5=None),
            row("phq9", "phq9_0", peg_pain="3"),
            row("tug", "asq_negative"),
        ],
    )

    message = failing(path, clinician)

    assert "line 3: phq9_4: invalid value 4" in message
    assert "line 4: asq_5: asked only" in message
    assert "line 5: mrn: no patient is registered with this MRN" in message
    assert "line 6: asq_5: required" in message
    assert "line 7: peg_pain: a Chronic low back pain and PEG key in a phq9 row" in message
    assert "line 8: instrument: expected one of asq, phq9, lbp_peg" in message
    assert "6 of 7 rows have errors; nothing was written" in message
    assert not RecordedInstrument.objects.exists()
    assert not Audit.objects.filter(action=AuditAction.IMPORT).exists()


def test_a_patient_without_a_screening_visit_is_refused_when_imported(
    tmp_path, clinician, patients
):
    PatientFactory(mrn="A003")  # registered, never screened
    path = write_csv(tmp_path, [row("asq", "asq_negative"), row("phq9", "phq9_12", mrn="A003")])

    message = failing(path, clinician)

    assert "line 3: mrn: this patient has no screening visit yet" in message
    assert not RecordedInstrument.objects.exists()
    assert not Flag.objects.filter(kind=FlagKind.SAFETY).exists()


def test_phq9_item_9_raises_a_safety_flag_and_emails_when_imported(
    tmp_path, clinician, reviewer, patients, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path, [row("phq9", "phq9_12")])

    with django_capture_on_commit_callbacks(execute=True):
        run(path, clinician)

    flag = Flag.objects.get(kind=FlagKind.SAFETY, patient=patients[0])
    assert RecordedInstrument.objects.get().result["safety"] is True
    assert len(mail.outbox) == 1
    assert "Lovelace" not in mail.outbox[0].body
    assert flag.status == "open"


def test_import_is_audited_with_its_dataset_and_each_instrument_when_imported(
    tmp_path, clinician, patients
):
    path = write_csv(tmp_path, [row("asq", "asq_acute"), row("lbp_peg", "lbp_chronic")])

    run(path, clinician)

    audit = Audit.objects.get(action=AuditAction.IMPORT)
    assert audit.detail == {
        "dataset": "instruments",
        "rows": 2,
        "format": "csv",
        "positive": 2,
        "safety_flags": 0,
    }
    recorded = Audit.objects.filter(action=AuditAction.INSTRUMENT_RECORD)
    assert sorted(a.detail["instrument"] for a in recorded) == ["asq", "lbp_peg"]
    assert "Lovelace" not in json.dumps([a.detail for a in recorded])


def test_running_the_same_file_twice_adds_nothing_when_imported_again(
    tmp_path, clinician, patients
):
    path = write_csv(tmp_path, [row("asq", "asq_negative")])
    run(path, clinician)

    message = failing(path, clinician)

    assert "line 2: administered_at: this patient already has this instrument recorded" in message
    assert RecordedInstrument.objects.count() == 1


def test_json_rows_are_recorded_when_the_file_is_json(tmp_path, clinician, patients):
    path = tmp_path / "instruments.json"
    answers = dict(INSTRUMENT_ANSWERS["phq9_0"])
    path.write_text(
        json.dumps(
            [{"mrn": "A002", "administered_at": "2025-03-01T10:00", "instrument": "phq9"} | answers]
        )
    )

    run(path, clinician)

    assert RecordedInstrument.objects.get().patient == patients[1]


def test_a_user_who_may_not_record_is_refused_when_named(tmp_path, no_role_user, patients):
    path = write_csv(tmp_path, [row("asq", "asq_negative")])

    message = failing(path, no_role_user)

    assert "may record instruments" in message
    assert not RecordedInstrument.objects.exists()
