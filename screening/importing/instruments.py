"""Rows of an instruments import checked before anything is written: the patient by MRN, when,
which instrument, and its answers as screening.instruments validates them (INSTRUMENTS.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from patients.models import Patient
from screening import instruments
from screening.importing.rows import BATCH, RawRow, RowError
from screening.models import RecordedInstrument, Visit

ROW_KEYS = ("mrn", "administered_at", "instrument")
ANSWER_KEYS = tuple(q.key for questions in instruments.QUESTIONS.values() for q in questions)
COLUMNS = (*ROW_KEYS, *ANSWER_KEYS)
NOT_SCREENED = "this patient has no screening visit yet: an instrument follows a screen"
_OWNER = {q.key: kind for kind, questions in instruments.QUESTIONS.items() for q in questions}


@dataclass(frozen=True)
class InstrumentRow:
    """A row ready to record: the registered patient, when, the instrument and its answers."""

    line: int
    patient: Patient
    administered_at: dt.datetime
    instrument: instruments.Instrument
    answers: dict[str, object]


def _text(row: RawRow, key: str) -> str | None:
    value = row.values.get(key)
    if isinstance(value, str):
        value = value.strip() or None
    return value  # type: ignore[return-value]


def _moment(row: RawRow, errors: list[RowError]) -> dt.datetime | None:
    value = _text(row, "administered_at")
    if value is None:
        errors.append(RowError(row.line, "administered_at", "required"))
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        message = "expected a date and time as YYYY-MM-DDTHH:MM (ISO 8601)"
        errors.append(RowError(row.line, "administered_at", message))
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + dt.timedelta(minutes=5):
        errors.append(RowError(row.line, "administered_at", "is in the future"))
        return None
    return moment


def _kind(row: RawRow, errors: list[RowError]) -> instruments.Instrument | None:
    value = _text(row, "instrument")
    codes = [kind.value for kind in instruments.Instrument]
    if value not in codes:
        message = "required" if value is None else f"expected one of {', '.join(codes)}"
        errors.append(RowError(row.line, "instrument", message))
        return None
    return instruments.Instrument(value)


def _answer(question: instruments.Question, value: Any) -> Any:
    """A CSV cell as the code the question takes: a number for the PHQ-9 and PEG items (left as
    is when not a whole number, so validation names it)."""
    if isinstance(value, str) and isinstance(question.codes[0], int):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return value


def _answers(
    row: RawRow, kind: instruments.Instrument, errors: list[RowError]
) -> dict[str, object] | None:
    questions = instruments.QUESTIONS[kind]
    answers = {q.key: _answer(q, row.values.get(q.key)) for q in questions}
    answers = {key: value for key, value in answers.items() if value is not None}
    for key in ANSWER_KEYS:
        if _OWNER[key] is not kind and row.values.get(key) is not None:
            message = f"a {_OWNER[key].label} key in a {kind.value} row; leave it empty"
            errors.append(RowError(row.line, key, message))
            return None
    try:
        instruments.score(kind, answers)  # raises naming the key, as the CLI does
    except instruments.InvalidAnswers as problem:
        errors.append(RowError(row.line, problem.key, str(problem)))
        return None
    return {q.key: answers.get(q.key) for q in questions}


def validate_instrument_rows(rows: list[RawRow]) -> tuple[list[InstrumentRow], list[RowError]]:
    """Every row checked: unknown columns, a registered MRN, when, the instrument, its answers,
    and no instrument already recorded for the patient at that time."""
    patients = _registered(sorted({str(m) for row in rows if (m := _text(row, "mrn"))}))
    screened = _screened(patients.values())
    valid: list[InstrumentRow] = []
    errors: list[RowError] = []
    for row in rows:
        row_errors: list[RowError] = []
        unknown = [key for key in row.values if key not in COLUMNS]
        for key in unknown:
            shown = "(a value without a column)" if key.startswith("\0") else key
            row_errors.append(RowError(row.line, shown, "unknown column"))
        mrn = _text(row, "mrn")
        patient = patients.get(str(mrn)) if mrn is not None else None
        if patient is None:
            message = "required" if mrn is None else "no patient is registered with this MRN"
            row_errors.append(RowError(row.line, "mrn", message))
        elif patient.pk not in screened:
            row_errors.append(RowError(row.line, "mrn", NOT_SCREENED))
        moment = _moment(row, row_errors)
        kind = _kind(row, row_errors)
        answers = _answers(row, kind, row_errors) if kind is not None else None
        errors += row_errors
        if not row_errors and patient and moment and kind and answers is not None:
            valid.append(InstrumentRow(row.line, patient, moment, kind, answers))
    errors += _already_recorded(valid)
    errors.sort(key=lambda error: error.line)
    return valid, errors


def _registered(mrns: list[str]) -> dict[str, Patient]:
    found: dict[str, Patient] = {}
    for start in range(0, len(mrns), BATCH):
        chunk = mrns[start : start + BATCH]
        found.update((p.mrn, p) for p in Patient.objects.filter(mrn__in=chunk))
    return found


def _screened(patients: Iterable[Patient]) -> set[int]:
    """The patients with a screening visit: an instrument follows a screen (and a SAFETY flag
    it raises points to that visit), as record_instrument requires."""
    ids = sorted(patient.pk for patient in patients)
    found: set[int] = set()
    for start in range(0, len(ids), BATCH):
        visits = Visit.objects.filter(patient_id__in=ids[start : start + BATCH])
        found |= set(visits.values_list("patient_id", flat=True).distinct())
    return found


def _already_recorded(rows: list[InstrumentRow]) -> list[RowError]:
    """Rows recorded already (same patient, instrument and time), in the database or twice in
    the file: re-running an import adds nothing."""
    ids = sorted({row.patient.pk for row in rows})
    seen: set[tuple[int, str, dt.datetime]] = set()
    for start in range(0, len(ids), BATCH):
        recorded = RecordedInstrument.objects.filter(patient_id__in=ids[start : start + BATCH])
        seen |= set(recorded.values_list("patient_id", "instrument", "administered_at"))
    errors = []
    for row in rows:
        moment = (row.patient.pk, row.instrument.value, row.administered_at)
        if moment in seen:
            message = "this patient already has this instrument recorded at this time"
            errors.append(RowError(row.line, "administered_at", message))
        seen.add(moment)
    return errors
