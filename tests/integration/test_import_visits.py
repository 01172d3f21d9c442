"""`manage.py import_visits`: every row checked first, then all written in one transaction or none."""

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
from patients.models import Patient
from screening import criteria
from screening.importing.rows import COLUMNS
from screening.models import Flag, FlagEvent, FlagKind, Visit
from tests.conftest import make_user
from tests.factories import FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

BACK_PAIN = {
    "backache_freq_30d": "almost_every_day",
    "da_sad_2wk": "no",
    "an_lost_interest_2wk": "no",
}
DEPRESSED = {
    "backache_freq_30d": "not_at_all",
    "da_sad_2wk": "yes",
    "da_duration": "all_day_long",
    "da_frequency": "every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": True,
    "da_sleep_trouble": False,
    "da_concentration": True,
    "da_worthless": True,
    "da_death_thoughts": False,
}
NEITHER = {"backache_freq_30d": "not_at_all", "da_sad_2wk": "no", "an_lost_interest_2wk": "no"}


def row(mrn: str = "A001", visit_at: str = "2025-03-01T10:00", **values: Any) -> dict[str, Any]:
    base = {
        "mrn": mrn,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1970-05-04",
        "sex": "female",
        "education": "bachelors_plus",
        "earnings": "50k_75k",
        "visit_at": visit_at,
        "smoking": "never",
        "height_cm": "165.0",
        "weight_kg": "70.5",
    }
    return base | dict(NEITHER) | values


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = [key for key in COLUMNS if any(key in r for r in rows)]
    columns += sorted({key for r in rows for key in r} - set(columns))
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {k: ("true" if v is True else "false" if v is False else v) for k, v in r.items()}
            )
    return path


def run(path: str, username: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_visits", path, "--clinician", username, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: str, username: str) -> str:
    """Everything the command said on stderr, and its final message; it must exit with 2."""
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_visits", path, "--clinician", username, stderr=err)
    assert caught.value.returncode == 2
    return err.getvalue() + str(caught.value)


def test_visits_patients_flags_and_audit_are_written_when_every_row_is_valid(tmp_path, clinician):
    path = write_csv(
        tmp_path / "visits.csv",
        [
            row("A001", "2025-03-01T10:00", **BACK_PAIN),
            row(
                "A002",
                "2025-03-02T11:00",
                given_name="Alan",
                family_name="Turing",
                sex="male",
                **DEPRESSED,
            ),
            row("A003", "2025-03-03T09:30"),
        ],
    )
    out, err = run(str(path), clinician.username)

    assert "Imported 3 visits: 3 new patients, 0 already registered; 2 flags" in out
    assert "validated 3 of 3 rows" in err
    assert "wrote 3 of 3 visits" in err
    assert Patient.objects.count() == 3
    depressed = Visit.objects.get(patient__mrn="A002")
    assert depressed.major_depression is True
    assert depressed.path == "depressed_affect"
    assert depressed.symptom_count == 5
    assert depressed.criteria_version == criteria.CRITERIA_VERSION
    assert depressed.clinician == clinician
    assert depressed.an_lost_interest_2wk is None  # not asked once path A is entered
    assert str(Visit.objects.get(patient__mrn="A001").weight_kg) == "70.5"
    kinds = set(Flag.objects.values_list("patient__mrn", "kind"))
    assert kinds == {("A001", FlagKind.ASSESS_DEPRESSION), ("A002", FlagKind.ASSESS_BACK_PAIN)}
    audit = Audit.objects.get(action=AuditAction.IMPORT)
    assert audit.detail == {
        "dataset": "visits",
        "rows": 3,
        "format": "csv",
        "patients_created": 3,
        "flags": 2,
    }
    assert "Lovelace" not in json.dumps(audit.detail)


def test_nothing_is_written_and_every_bad_row_is_named_when_some_rows_are_invalid(
    tmp_path, clinician
):
    path = write_csv(
        tmp_path / "visits.csv",
        [
            row("A001"),
            row("A002", backache_freq_30d="sometimes"),
            row("A003", date_of_birth="04/05/1970", sex="x"),
            row("A004", da_sad_2wk="yes"),
        ],
    )
    message = run_failing(str(path), clinician.username)

    assert "line 3: backache_freq_30d: invalid value 'sometimes'" in message
    assert "line 4: date_of_birth: expected a date as YYYY-MM-DD" in message
    assert "line 4: sex: expected one of male, female" in message
    assert "line 5: da_duration: asked by the skip logic but not answered" in message
    assert "3 of 4 rows have errors; nothing was written" in message
    assert Visit.objects.count() == 0
    assert Patient.objects.count() == 0
    assert not Audit.objects.filter(action=AuditAction.IMPORT).exists()


def test_json_errors_name_the_line_each_record_starts_on_when_the_file_is_pretty_printed(
    tmp_path, clinician
):
    path = tmp_path / "visits.json"
    records = [row("A001"), row("A002", smoking="sometimes"), row("A003", colour="blue")]
    path.write_text(json.dumps(records, indent=2))
    starts = [i + 1 for i, text in enumerate(path.read_text().splitlines()) if text == "  {"]

    message = run_failing(str(path), clinician.username)

    assert f"line {starts[1]}: smoking: expected one of never, former, current" in message
    assert f"line {starts[2]}: colour: unknown column" in message
    assert Visit.objects.count() == 0


def test_json_from_stdin_is_imported_when_the_file_is_a_dash(clinician, monkeypatch):
    records = [row("A001", **DEPRESSED) | {"regular_exercise": True, "height_cm": 170}]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(records)))
    out, _ = run("-", clinician.username)

    assert "Imported 1 visits" in out
    visit = Visit.objects.get()
    assert visit.regular_exercise is True
    assert visit.major_depression is True


def test_rows_are_refused_when_the_same_mrn_has_another_name_or_birth_date(tmp_path, clinician):
    path = write_csv(
        tmp_path / "visits.csv",
        [
            row("A001", "2025-01-01T10:00"),
            row("A001", "2025-07-01T10:00", date_of_birth="1971-05-04"),
            row("A001", "2025-09-01T10:00", family_name="Byron"),
        ],
    )
    message = run_failing(str(path), clinician.username)

    assert "line 3: date_of_birth: differs from line 2 for the same MRN" in message
    assert "line 4: family_name: differs from line 2 for the same MRN" in message
    assert "1971" not in message  # no PHI echoed
    assert "Byron" not in message
    assert Patient.objects.count() == 0


def test_rows_are_refused_when_an_mrn_or_name_holds_invisible_characters(tmp_path, clinician):
    path = write_csv(
        tmp_path / "visits.csv",
        [row("A0\ufeff01"), row("A002", given_name="Ad\u202ea")],
    )
    message = run_failing(str(path), clinician.username)

    assert "line 2: mrn: invisible or text-direction characters (U+FEFF)" in message
    assert "line 3: given_name: invisible or text-direction characters (U+202E)" in message
    assert Patient.objects.count() == 0


def test_rows_are_refused_when_the_mrn_belongs_to_a_registered_patient_with_another_name(
    tmp_path, clinician
):
    PatientFactory(mrn="A001", given_name="Grace", family_name="Hopper")
    path = write_csv(tmp_path / "visits.csv", [row("A001")])

    message = run_failing(str(path), clinician.username)

    assert "line 2: given_name: differs from the registered patient" in message
    assert "line 2: family_name: differs from the registered patient" in message
    assert Visit.objects.count() == 0


def test_registered_patients_are_reused_when_names_match_apart_from_case(tmp_path, clinician):
    patient = PatientFactory(mrn="A001", given_name="Ada", family_name="Lovelace", sex="female")
    path = write_csv(
        tmp_path / "visits.csv",
        [row("A001", given_name="ADA", date_of_birth=patient.date_of_birth.isoformat())],
    )
    out, _ = run(str(path), clinician.username)

    assert "0 new patients, 1 already registered" in out
    assert Visit.objects.get().patient == patient


def test_running_the_same_import_twice_adds_nothing_when_the_visits_exist(tmp_path, clinician):
    path = write_csv(tmp_path / "visits.csv", [row("A001"), row("A002")])
    run(str(path), clinician.username)

    message = run_failing(str(path), clinician.username)

    assert "line 2: visit_at: this patient already has a visit recorded at this time" in message
    assert Visit.objects.count() == 2


def test_a_later_visit_attaches_to_the_open_flag_when_the_same_patient_has_two(tmp_path, clinician):
    path = write_csv(
        tmp_path / "visits.csv",
        [
            row("A001", "2025-08-01T10:00", **BACK_PAIN),
            row("A001", "2025-02-01T10:00", **BACK_PAIN),
        ],
    )
    run(str(path), clinician.username)

    flag = Flag.objects.get()
    assert flag.visit.visit_at.month == 2  # the older visit opened it
    assert list(FlagEvent.objects.filter(flag=flag).values_list("action", flat=True)) == [
        "opened",
        "attached",
    ]


def test_reviewers_are_emailed_once_when_an_import_raises_a_safety_flag(
    tmp_path, clinician, reviewer, django_capture_on_commit_callbacks
):
    safety = dict(DEPRESSED, da_death_thoughts=True)
    path = write_csv(
        tmp_path / "visits.csv",
        [row("A001", "2025-02-01T10:00", **safety), row("A001", "2025-03-01T10:00", **safety)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(str(path), clinician.username)

    assert Flag.objects.filter(kind=FlagKind.SAFETY).count() == 1
    assert len(mail.outbox) == 1
    assert "Lovelace" not in mail.outbox[0].body


def test_rows_name_the_clinician_column_when_the_user_is_unknown_or_may_not_screen(
    tmp_path, clinician
):
    make_user("no_role_person", None)
    path = write_csv(
        tmp_path / "visits.csv",
        [row("A001", clinician="nobody_here"), row("A002", clinician="no_role_person")],
    )
    message = run_failing(str(path), clinician.username)

    assert "line 2: clinician: no active user with this username" in message
    assert "line 3: clinician: this user may not record visits" in message


def test_each_row_is_recorded_under_its_own_clinician_when_the_column_is_given(
    tmp_path, clinician, admin_user
):
    path = write_csv(
        tmp_path / "visits.csv", [row("A001", clinician=admin_user.username), row("A002")]
    )
    run(str(path), clinician.username)

    assert Visit.objects.get(patient__mrn="A001").clinician == admin_user
    assert Visit.objects.get(patient__mrn="A002").clinician == clinician


def test_the_command_exits_2_when_the_file_is_neither_csv_nor_json(tmp_path, clinician):
    path = tmp_path / "visits.txt"
    path.write_text("mrn\nA001\n")

    message = run_failing(str(path), clinician.username)

    assert "expected a .csv or .json file" in message


def test_the_command_exits_2_when_the_json_is_malformed(tmp_path, clinician):
    path = tmp_path / "visits.json"
    path.write_text('[\n  {"mrn": "A001"},\n  {"mrn": \n')

    message = run_failing(str(path), clinician.username)

    assert "invalid JSON" in message


def test_an_imported_visit_attaches_to_an_open_flag_when_the_patient_already_has_one(
    tmp_path, clinician
):
    patient = PatientFactory(mrn="A001", given_name="Ada", family_name="Lovelace", sex="female")
    flag = FlagFactory(visit=VisitFactory(patient=patient, answers=BACK_PAIN))
    path = write_csv(
        tmp_path / "visits.csv",
        [row("A001", date_of_birth=patient.date_of_birth.isoformat(), **BACK_PAIN)],
    )
    run(str(path), clinician.username)

    assert Flag.objects.filter(patient=patient, kind=FlagKind.ASSESS_DEPRESSION).get() == flag
    assert FlagEvent.objects.filter(flag=flag, action="attached").count() == 1
    assert Visit.objects.filter(patient=patient).count() == 2
