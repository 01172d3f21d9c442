"""Reads of visits and flags that pages and services share; the joins are set here."""

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from screening import rescreen
from screening.models import Flag, FlagKind, FlagStatus, RecordedInstrument, Visit

if TYPE_CHECKING:
    from patients.models import Patient


def is_current() -> Exists:
    """The condition that a visit stands: no other visit amends it (on the visit_amends index)."""
    return ~Exists(Visit.objects.filter(amends=OuterRef("pk")))


def latest_current_visit(patient_id: int) -> Visit | None:
    """The patient's newest visit that no amendment replaces (on visit_patient_time)."""
    return (
        Visit.objects.filter(is_current(), patient_id=patient_id)
        .order_by("-visit_at", "-id")
        .only("id", "patient_id", "visit_at", "back_pain", "major_depression")
        .first()
    )


def rescreen_for(visit: Visit, today: dt.date | None = None) -> rescreen.Rescreen | None:
    """The re-screen a patient's latest current visit calls for (screening/rescreen.py), on the
    clinic's calendar, with RESCREEN_INTERVAL_MONTHS."""
    return rescreen.rescreen(
        back_pain=visit.back_pain,
        major_depression=visit.major_depression,
        visited_on=timezone.localdate(visit.visit_at),
        interval_months=settings.RESCREEN_INTERVAL_MONTHS,
        today=today or timezone.localdate(),
    )


def next_rescreen(
    patient: "Patient | int", today: dt.date | None = None
) -> rescreen.Rescreen | None:
    """When the patient is next due to be screened for the other condition, with `due_on`,
    `overdue` and `reason`; None when their latest current visit met both criteria or neither,
    or they have no visit. `patient` is a Patient or its id."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    visit = latest_current_visit(patient_id)
    return rescreen_for(visit, today) if visit is not None else None


def current_instruments(patient_id: int, instrument: str) -> QuerySet[RecordedInstrument]:
    """The patient's records of one instrument that no amendment replaces, oldest first (on
    instrument_patient_time and instrument_amends)."""
    replaced = RecordedInstrument.objects.filter(amends=OuterRef("pk"))
    return (
        RecordedInstrument.objects.filter(
            ~Exists(replaced), patient_id=patient_id, instrument=instrument
        )
        .order_by("administered_at", "id")
        .only("id", "patient_id", "instrument", "result", "administered_at")
    )


def open_flags(patient_id: int) -> QuerySet[Flag]:
    """The patient's unresolved flags with their assignees, most urgent first."""
    return (
        Flag.objects.filter(patient_id=patient_id)
        .exclude(status=FlagStatus.RESOLVED)
        .select_related("assignee")
        .order_by("-priority", "opened_at", "id")
    )


def latest_visit_since(patient_id: int, since: dt.datetime) -> Visit | None:
    """The patient's visit recorded most recently at or after `since`, if any."""
    # on visit_patient_time: a patient has few visits, so the recorded_at filter reads a handful
    return (
        Visit.objects.filter(patient_id=patient_id, recorded_at__gte=since)
        .order_by("-recorded_at", "-id")
        .only("id", "patient_id", "visit_at", "recorded_at", "clinician_id")
        .first()
    )


def unclaimed_safety_flags() -> QuerySet[Flag]:
    """Open SAFETY flags no reviewer has claimed: what a reviewer must act on first, newest first."""
    return Flag.objects.filter(
        kind=FlagKind.SAFETY, status=FlagStatus.OPEN, assignee__isnull=True
    ).order_by("-opened_at", "-id")


def unclaimed_safety_count() -> int:
    """How many SAFETY flags wait unclaimed; one count on the unresolved flags' index."""
    return unclaimed_safety_flags().order_by().count()


def safety_place(flag: Flag) -> tuple[int, int] | None:
    """Where an unclaimed SAFETY flag stands among the unclaimed ones, newest first: (place,
    how many); None once it is claimed or resolved."""
    if flag.kind != FlagKind.SAFETY or flag.status != FlagStatus.OPEN or flag.assignee_id:
        return None
    newer = Q(opened_at__gt=flag.opened_at) | Q(opened_at=flag.opened_at, id__gt=flag.pk)
    waiting = unclaimed_safety_flags().order_by()
    return waiting.filter(newer).count() + 1, waiting.count()


INSTRUMENTS_SHOWN = 20  # on the patient page, newest first


def patient_instruments(patient_id: int) -> list[RecordedInstrument]:
    """The patient's recorded instruments, newest first, each marked `is_amended` when a newer
    record replaces it (one query, on instrument_patient_time)."""
    newer = RecordedInstrument.objects.filter(amends=OuterRef("pk"))
    return list(
        RecordedInstrument.objects.filter(patient_id=patient_id)
        .annotate(is_amended=Exists(newer))
        .order_by("-administered_at", "-id")[:INSTRUMENTS_SHOWN]
    )


def latest_flag_instrument(flag_id: int) -> RecordedInstrument | None:
    """The instrument a case's outcome rests on (INSTRUMENTS.md section 4): of those recorded
    against the flag and not replaced by an amendment, the one asked last."""
    newer = RecordedInstrument.objects.filter(amends=OuterRef("pk"))
    return (
        RecordedInstrument.objects.filter(flag_id=flag_id)
        .exclude(Exists(newer))
        .order_by("-administered_at", "-id")
        .first()
    )
