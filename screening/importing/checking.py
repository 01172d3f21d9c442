"""Every row of an import checked before anything is written: columns, answers as the skip
logic asks them, covariates, the same patient under one MRN, and visits already recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from lib.dates import EARLIEST_DAY
from lib.text import invisible_characters
from patients.models import Earnings, Education, Patient, Sex
from screening import criteria, questionnaire
from screening.importing.rows import (
    BATCH,
    COLUMNS,
    IDENTITY_KEYS,
    REQUIRED,
    PatientData,
    Progress,
    RawRow,
    RowError,
    ValidRow,
)
from screening.models import Visit

PROGRESS_EVERY = 1000
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class _RowChecker:
    """Collects every error of one row instead of stopping at the first."""

    def __init__(self, row: RawRow) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.row.line, key, message))

    def text(self, key: str, max_length: int) -> str | None:
        value = self.row.values.get(key)
        if value is None:
            if key in REQUIRED:
                self.error(key, "required")
            return None
        if not isinstance(value, str):
            self.error(key, "expected text")
            return None
        value = value.strip()
        if not value and key in REQUIRED:
            self.error(key, "required")
            return None
        if len(value) > max_length:
            self.error(key, f"longer than {max_length} characters")
            return None
        if unseen := invisible_characters(value):
            self.error(key, f"invisible or text-direction characters ({', '.join(unseen)})")
            return None
        return value or None

    def choice(self, key: str, allowed: Iterable[str]) -> str | None:
        allowed = list(allowed)
        value = self.text(key, 64)
        if value is not None and value not in allowed:
            self.error(key, f"expected one of {', '.join(allowed)}")
            return None
        return value

    def boolean(self, key: str, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        self.error(key, "expected true or false")
        return None

    def decimal(self, key: str, covariate: questionnaire.Covariate) -> Decimal | None:
        value = self.row.values.get(key)
        if value is None:
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.error(key, "expected a number")
            return None
        low, high = covariate.low, covariate.high
        if not number.is_finite() or not low <= number <= high:
            self.error(key, f"expected a number from {low} to {high}")
            return None
        if number != number.quantize(Decimal("0.1")):
            self.error(key, "at most one decimal place")
            return None
        return number

    def date_of_birth(self) -> dt.date | None:
        value = self.text("date_of_birth", 10)
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error("date_of_birth", "expected a date as YYYY-MM-DD")
            return None
        if not EARLIEST_DAY <= day <= timezone.localdate():
            self.error("date_of_birth", "must be from 1900-01-01 to today")
            return None
        return day

    def visit_at(self) -> dt.datetime | None:
        value = self.text("visit_at", 40)
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.error("visit_at", "expected a date and time as YYYY-MM-DDTHH:MM (ISO 8601)")
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now() + dt.timedelta(minutes=5):
            self.error("visit_at", "is in the future")
            return None
        return moment


class _Clinicians:
    """Usernames to user ids, looked up once each; only active users who may record visits."""

    def __init__(self, default: Any) -> None:
        self.default = default
        self.known: dict[str, int | str] = {}

    def resolve(self, username: str | None) -> int | str:
        """The user id, or the reason the name cannot be used."""
        if username is None:
            if self.default is None:
                return "required (no --clinician default given)"
            return int(self.default.pk)
        if username not in self.known:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                self.known[username] = "no active user with this username"
            elif not user.has_perm("screening.add_visit"):
                self.known[username] = "this user may not record visits"
            else:
                self.known[username] = int(user.pk)
        return self.known[username]


def validate_rows(
    rows: list[RawRow], *, default_clinician: Any, progress: Progress | None = None
) -> tuple[list[ValidRow], list[RowError]]:
    """Every row checked (columns, answers, covariates, patient consistency, duplicates)."""
    clinicians = _Clinicians(default_clinician)
    valid: list[ValidRow] = []
    errors: list[RowError] = []
    for done, row in enumerate(rows, start=1):
        checked, row_errors = _validate_row(row, clinicians)
        errors += row_errors
        if checked is not None:
            valid.append(checked)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress(f"validated {done} of {len(rows)} rows")
    errors += _consistency_errors(valid)
    errors.sort(key=lambda error: error.line)
    return valid, errors


def _validate_row(row: RawRow, clinicians: _Clinicians) -> tuple[ValidRow | None, list[RowError]]:
    check = _RowChecker(row)
    if "\0record" in row.values:
        check.error("record", "expected a JSON object of column names and values")
        return None, check.errors
    if "\0extra" in row.values:
        check.error("row", "more cells than the header has columns")
    for key in row.values:
        if key not in COLUMNS and not key.startswith("\0"):
            check.error(key, "unknown column")
    patient = _patient(check)
    visit_at = check.visit_at()
    clinician = clinicians.resolve(check.text("clinician", 150))
    if isinstance(clinician, str):
        check.error("clinician", clinician)
    answers = _answers(check)
    covariates = _covariates(check)
    born = patient.date_of_birth if patient is not None else None
    if visit_at is not None and born is not None and timezone.localdate(visit_at) < born:
        check.error("visit_at", "is before the date of birth")
    if check.errors or patient is None or visit_at is None or isinstance(clinician, str):
        return None, check.errors
    return ValidRow(row.line, patient, clinician, visit_at, answers, covariates), []


def _patient(check: _RowChecker) -> PatientData | None:
    mrn = check.text("mrn", 32)
    given = check.text("given_name", 100)
    family = check.text("family_name", 100)
    born = check.date_of_birth()
    sex = check.choice("sex", Sex.values)
    education = check.choice("education", Education.values)
    earnings = check.choice("earnings", Earnings.values)
    if mrn is None or given is None or family is None or born is None or sex is None:
        return None
    return PatientData(mrn, given, family, born, sex, education, earnings)


def _answers(check: _RowChecker) -> dict[str, object]:
    """Answers checked key by key (so every bad one is named), asked items required."""
    values: dict[str, object] = {}
    for key in questionnaire.ANSWER_KEYS:
        value = check.row.values.get(key)
        if questionnaire.ITEMS[key].choices is None:
            value = check.boolean(key, value)
        try:
            values.update({k: v for k, v in criteria.validate({key: value}).items() if k == key})
        except criteria.InvalidAnswers as exc:
            check.error(exc.key, str(exc))
            values[key] = None
    if any(error.key in questionnaire.ITEMS for error in check.errors):
        return values
    # The form's rule (DESIGN.md): what the skip logic asks is required; the rest is stored NULL.
    for key in questionnaire.ANSWER_KEYS:
        if key in criteria.asked_items(values) and values[key] is None:
            check.error(key, "asked by the skip logic but not answered")
    return criteria.strip_unasked(values)


def _covariates(check: _RowChecker) -> dict[str, object]:
    covariates: dict[str, object] = {}
    for key, covariate in questionnaire.COVARIATES.items():
        if covariate.choices is not None:
            covariates[key] = check.choice(key, [code for code, _ in covariate.choices])
        elif covariate.yes_no:
            covariates[key] = check.boolean(key, check.row.values.get(key))
        else:
            covariates[key] = check.decimal(key, covariate)
    return covariates


def _consistency_errors(rows: list[ValidRow]) -> list[RowError]:
    """Same MRN, same person (in the file and in the database); one visit per patient and time."""
    errors: list[RowError] = []
    first: dict[str, ValidRow] = {}
    seen_times: dict[tuple[str, dt.datetime], int] = {}
    for row in rows:
        earlier = first.setdefault(row.patient.mrn, row)
        if earlier is not row:
            for key in (*IDENTITY_KEYS, "education", "earnings"):
                if _field(earlier.patient, key) != _field(row.patient, key):
                    message = f"differs from line {earlier.line} for the same MRN"
                    errors.append(RowError(row.line, key, message))
        moment = (row.patient.mrn, row.visit_at)
        if moment in seen_times:
            message = f"same patient and time as line {seen_times[moment]}"
            errors.append(RowError(row.line, "visit_at", message))
        seen_times.setdefault(moment, row.line)
    registered = _registered(list(first))
    for row in rows:
        patient = registered.get(row.patient.mrn)
        if patient is None:
            continue
        known = PatientData(
            patient.mrn,
            patient.given_name,
            patient.family_name,
            patient.date_of_birth,
            patient.sex,
            patient.education,
            patient.earnings,
        )
        for key, value in known.identity().items():
            if row.patient.identity()[key] != value:
                errors.append(RowError(row.line, key, "differs from the registered patient"))
    errors += _already_recorded(rows, registered)
    return errors


def _field(patient: PatientData, key: str) -> object:
    return patient.identity().get(key, getattr(patient, key))


def _registered(mrns: list[str]) -> dict[str, Patient]:
    found: dict[str, Patient] = {}
    for start in range(0, len(mrns), BATCH):
        chunk = mrns[start : start + BATCH]
        found.update((p.mrn, p) for p in Patient.objects.filter(mrn__in=chunk))
    return found


def _already_recorded(rows: list[ValidRow], registered: dict[str, Patient]) -> list[RowError]:
    """Rows whose patient already has a visit at that time: re-running an import adds nothing."""
    ids = sorted({p.pk for p in registered.values()})
    recorded: set[tuple[int, dt.datetime]] = set()
    for start in range(0, len(ids), BATCH):
        visits = Visit.objects.filter(patient_id__in=ids[start : start + BATCH])
        recorded |= set(visits.values_list("patient_id", "visit_at"))
    errors = []
    for row in rows:
        patient = registered.get(row.patient.mrn)
        if patient is not None and (patient.pk, row.visit_at) in recorded:
            message = "this patient already has a visit recorded at this time"
            errors.append(RowError(row.line, "visit_at", message))
    return errors
