"""Recording and amending an instrument (ASQ, PHQ-9, LBP+PEG, INSTRUMENTS.md): the recorded
instrument with its result and rules version, the event on the flag it assesses, a SAFETY flag
when a PHQ-9's item 9 calls for one, and the audit row, in one transaction each (issue 16)."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from audit.models import AuditAction
from audit.services import Actor, record_audit
from patients.models import Patient
from screening import flags, followup, instruments
from screening.instruments import Instrument, base
from screening.models import (
    Flag,
    FlagEvent,
    FlagEventAction,
    FlagStatus,
    RecordedInstrument,
    Visit,
)
from screening.notifications import reviewer_addresses
from screening.services._recording import (
    SubmissionOfAnotherPatient,
    event,
    notify_safety_on_commit,
    open_or_attach,
)

__all__ = [
    "FlagNotMeasurable",
    "InstrumentAlreadyAmended",
    "InstrumentRecorded",
    "InstrumentReport",
    "NoVisitYet",
    "SubmissionOfAnotherPatient",
    "amend_instrument",
    "answer_rows",
    "clean_answers",
    "newer_instrument",
    "open_instrument",
    "record_instrument",
    "record_instrument_form_view",
]


class FlagNotMeasurable(Exception):
    """The flag cannot take this instrument: another patient's, resolved, or another kind's
    instrument (INSTRUMENTS.md section 4); nothing was recorded."""


class NoVisitYet(Exception):
    """The patient has no screening visit yet: an instrument follows a screen (and a SAFETY
    flag it raises must point to a visit); nothing was recorded."""


class InstrumentAlreadyAmended(Exception):
    """The record has a newer amendment; only the newest record of a chain may be amended."""

    def __init__(self, newest: RecordedInstrument) -> None:
        super().__init__(f"instrument {newest.amends_id} was already amended by {newest.pk}")
        self.newest = newest


@dataclass(frozen=True)
class InstrumentRecorded:
    """The record a submission produced; `created` False when it had already been recorded.
    `safety_flag_id` is the SAFETY flag a PHQ-9's item 9 opened or joined, if any."""

    recorded: RecordedInstrument
    created: bool
    safety_flag_id: int | None = None


def clean_answers(instrument: Instrument, answers: Mapping[str, object]) -> base.Clean:
    """Every key of the instrument with its code, unasked ones None whatever was sent (as the
    screening form drops answers its skip logic did not ask); raises InvalidAnswers naming the
    key (INSTRUMENTS.md sections 1-3)."""
    questions = instruments.QUESTIONS[instrument]
    keys = {question.key for question in questions}
    # The gates (asq_1-4, the nine PHQ-9 items) are always asked, so one pass is enough.
    asked = instruments.asked_items(instrument, answers)
    kept = {key: value for key, value in answers.items() if key not in keys or key in asked}
    return base.validate(questions, partial(instruments.asked_items, instrument), kept)


def record_instrument(
    *,
    patient: Patient,
    instrument: Instrument,
    answers: Mapping[str, object],
    administered_at: datetime,
    submission_id: uuid.UUID,
    actor: Actor,
    flag: Flag | None = None,
) -> InstrumentRecorded:
    """One recorded instrument with its result and RULES_VERSION, a `measured` event on `flag`
    (when given), a SAFETY flag opened or joined for a PHQ-9 item 9 at 1 or more (e-mail on
    commit), and its INSTRUMENT_RECORD audit row; or nothing at all.

    Idempotent on `submission_id`. Raises InvalidAnswers, FlagNotMeasurable, NoVisitYet, or
    SubmissionOfAnotherPatient when the submission id recorded another patient's instrument.
    """
    with transaction.atomic(durable=True):
        if (earlier := _lock_and_find_earlier(patient, submission_id)) is not None:
            return InstrumentRecorded(earlier, created=False)
        recorded, safety_id = _write(
            patient=patient,
            instrument=instrument,
            answers=answers,
            administered_at=administered_at,
            submission_id=submission_id,
            actor=actor,
            flag=flag,
        )
        record_audit(
            actor=actor,
            action=AuditAction.INSTRUMENT_RECORD,
            obj=recorded,
            patient=patient,
            detail=_audit_detail(recorded, safety_id),
        )
    return InstrumentRecorded(recorded, created=True, safety_flag_id=safety_id)


def amend_instrument(
    *,
    original: RecordedInstrument,
    answers: Mapping[str, object],
    administered_at: datetime,
    submission_id: uuid.UUID,
    reason: str,
    actor: Actor,
) -> InstrumentRecorded:
    """A new record of the same instrument, patient and flag that `amends` the original, with the
    reason; the original stays as it was (INSTRUMENTS.md section 4). Audited as INSTRUMENT_AMEND.

    Raises ValueError for a blank reason, InstrumentAlreadyAmended when the original is not the
    newest of its chain, and what record_instrument raises."""
    if not reason.strip():
        raise ValueError("an amendment needs a reason")
    patient = original.patient
    with transaction.atomic(durable=True):
        if (earlier := _lock_and_find_earlier(patient, submission_id)) is not None:
            return InstrumentRecorded(earlier, created=False)
        newer = RecordedInstrument.objects.filter(amends=original).order_by("-id").first()
        if newer is not None:
            raise InstrumentAlreadyAmended(newer)
        recorded, safety_id = _write(
            patient=patient,
            instrument=Instrument(original.instrument),
            answers=answers,
            administered_at=administered_at,
            submission_id=submission_id,
            actor=actor,
            flag=original.flag,
            amends=original,
            amendment_reason=reason.strip(),
            resolved_flag_ok=True,
        )
        record_audit(
            actor=actor,
            action=AuditAction.INSTRUMENT_AMEND,
            obj=recorded,
            patient=patient,
            detail=_audit_detail(recorded, safety_id) | {"amends": original.pk},
        )
    return InstrumentRecorded(recorded, created=True, safety_flag_id=safety_id)


@dataclass(frozen=True)
class InstrumentReport:
    """What the instrument's page shows: the record, its answers in words, the result, the
    banner it needs, what corrects it, and the SAFETY case that banner is about."""

    recorded: RecordedInstrument
    answers: list[tuple[str, str]]
    summary: str
    banner: followup.Banner | None
    newer: RecordedInstrument | None
    safety_flag: Flag | None
    reviewers_emailed: int


def open_instrument(*, instrument_id: int, actor: Actor) -> InstrumentReport:
    """The recorded instrument with what its page shows; its showing is audited (VISIT_VIEW, the
    nearest action, with the instrument's code in the detail). Raises DoesNotExist."""
    with transaction.atomic(durable=True):
        recorded = RecordedInstrument.objects.select_related(
            "patient", "flag", "clinician", "amends"
        ).get(pk=instrument_id)
        record_audit(
            actor=actor,
            action=AuditAction.VISIT_VIEW,
            obj=recorded,
            patient=recorded.patient,
            detail={"instrument": recorded.instrument},
        )
    newer = newer_instrument(recorded)
    shown = followup.banner(recorded.instrument, recorded.result)
    safety = None
    if shown is not None:
        safety = (
            Flag.objects.filter(patient_id=recorded.patient_id, kind="safety")
            .exclude(status=FlagStatus.RESOLVED)
            .select_related("assignee")
            .first()
        )
    return InstrumentReport(
        recorded=recorded,
        answers=answer_rows(recorded),
        summary=followup.summary(recorded.instrument, recorded.result),
        banner=shown,
        newer=newer,
        safety_flag=safety,
        reviewers_emailed=len(reviewer_addresses()) if safety is not None else 0,
    )


def answer_rows(recorded: RecordedInstrument) -> list[tuple[str, str]]:
    """(question, answer label) for each question asked, in the instrument's order."""
    rows = []
    for question in instruments.QUESTIONS[Instrument(recorded.instrument)]:
        value = recorded.answers.get(question.key)
        if value is not None:
            rows.append((question.text, dict(question.choices).get(value, str(value))))
    return rows


def newer_instrument(recorded: RecordedInstrument) -> RecordedInstrument | None:
    """The record that amends `recorded`, if any."""
    return (
        RecordedInstrument.objects.filter(amends=recorded)
        .select_related("clinician")
        .order_by("id")
        .first()
    )


def record_instrument_form_view(
    *, patient: Patient, amends: RecordedInstrument | None, actor: Actor
) -> None:
    """Each showing of an instrument form is audited: it shows the patient's name and MRN
    (PATIENT_VIEW), and an amendment's form the answers it corrects (VISIT_VIEW of the record)."""
    obj: Any = patient if amends is None else amends
    action = AuditAction.PATIENT_VIEW if amends is None else AuditAction.VISIT_VIEW
    form = "new_instrument" if amends is None else "instrument_amendment"
    with transaction.atomic(durable=True):
        record_audit(actor=actor, action=action, obj=obj, patient=patient, detail={"form": form})


def _lock_and_find_earlier(patient: Patient, submission_id: uuid.UUID) -> RecordedInstrument | None:
    """Take the patient's lock (the order record_visit takes it, then flags), then find what an
    earlier submit of the same form recorded; SubmissionOfAnotherPatient if another patient's."""
    Patient.objects.select_for_update().filter(pk=patient.pk).order_by().values_list("pk").get()
    earlier = RecordedInstrument.objects.filter(submission_id=submission_id).first()
    if earlier is not None and earlier.patient_id != patient.pk:
        raise SubmissionOfAnotherPatient(f"submission {submission_id} recorded {earlier.pk}")
    return earlier


def _measured_flag(
    flag: Flag, patient: Patient, instrument: Instrument, *, resolved_ok: bool
) -> Flag:
    """The flag row-locked, checked to take this instrument for this patient."""
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.patient_id != patient.pk:
        raise FlagNotMeasurable("This case is another patient's.")
    if followup.INSTRUMENT_FOR_KIND[locked.kind] != instrument:
        expected = followup.INSTRUMENT_FOR_KIND[locked.kind].label
        raise FlagNotMeasurable(f"A {locked.get_kind_display().lower()} case takes the {expected}.")
    if locked.status == FlagStatus.RESOLVED and not resolved_ok:
        raise FlagNotMeasurable(
            "This case is already resolved: record the instrument on its own from the patient "
            "page, or reopen the case first."
        )
    return locked


def _anchor_visit(patient: Patient, flag: Flag | None) -> Visit:
    """The visit a SAFETY flag the instrument raises points to: the measured flag's, else the
    patient's latest (Flag.visit is required; its events name no visit)."""
    if flag is not None:
        return flag.visit
    latest = Visit.objects.filter(patient=patient).order_by("-visit_at", "-id").first()
    if latest is None:
        raise NoVisitYet("Record a screening visit first: an instrument follows a screen.")
    return latest


def _write(
    *,
    patient: Patient,
    instrument: Instrument,
    answers: Mapping[str, object],
    administered_at: datetime,
    submission_id: uuid.UUID,
    actor: Actor,
    flag: Flag | None,
    amends: RecordedInstrument | None = None,
    amendment_reason: str = "",
    resolved_flag_ok: bool = False,
) -> tuple[RecordedInstrument, int | None]:
    """Insert the scored record, its flag event, and the SAFETY flag its result raises."""
    if flag is not None:
        flag = _measured_flag(flag, patient, instrument, resolved_ok=resolved_flag_ok)
    clean = clean_answers(instrument, answers)
    result = instruments.score(instrument, clean).as_dict()
    raised = flags.flags_for_instrument(instrument, result, clean.get("phq9_9"))
    # An instrument follows a screen; a SAFETY flag it raises points to that screen's visit.
    anchor = _anchor_visit(patient, flag)
    recorded = RecordedInstrument(
        patient=patient,
        flag=flag,
        instrument=instrument.value,
        answers=clean,
        result=result,
        positive=bool(result["positive"]),
        rules_version=instruments.RULES_VERSION,
        clinician=actor.user,
        administered_at=administered_at,
        amends=amends,
        amendment_reason=amendment_reason,
        submission_id=submission_id,
    )
    recorded.save(force_insert=True)
    if flag is not None:
        verb = "amended" if amends is not None else "recorded"
        note = f"{instrument.label} {verb}: {followup.summary(instrument, result)}."
        FlagEvent.objects.bulk_create([event(flag, FlagEventAction.MEASURED, None, actor, note)])
    safety_id = None
    if raised:
        ids = open_or_attach(
            patient=patient, visit=anchor, raised=raised, actor=actor, by_visit=False
        )
        safety_id = ids[flags.FlagKind.SAFETY]
        notify_safety_on_commit([safety_id])
    return recorded, safety_id


def _audit_detail(recorded: RecordedInstrument, safety_id: int | None) -> dict[str, Any]:
    """Codes and ids only, no answers."""
    detail: dict[str, Any] = {
        "instrument": recorded.instrument,
        "rules_version": recorded.rules_version,
        "positive": recorded.positive,
        "flag": recorded.flag_id,
    }
    if safety_id is not None:
        detail["safety_flag"] = safety_id
    return detail
