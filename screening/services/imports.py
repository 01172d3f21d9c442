"""Importing visits: patients registered and visits recorded from checked rows, all in one
transaction or none, with the helpers record_visit uses to classify visits and raise flags."""

import uuid
from dataclasses import dataclass

from django.db import transaction

from audit.models import AuditAction
from audit.services import Actor, record_audit
from patients.models import Patient
from screening import flags
from screening.importing.rows import BATCH, Progress, ValidRow
from screening.models import Visit
from screening.services._recording import (
    Classified,
    classified_visit,
    notify_safety_on_commit,
    open_or_attach,
)


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote; counts only, so it can go into the audit trail."""

    visits: int
    patients_created: int
    patients_existing: int
    flags: int


def import_visits(
    *, rows: list[ValidRow], actor: Actor, source: str, progress: Progress | None = None
) -> ImportSummary:
    """All rows written (patients, visits, flags, one audit row) in one transaction, or none."""
    with transaction.atomic(durable=True):
        patients, created = _patients(rows, actor)
        ordered = sorted(rows, key=lambda row: (row.visit_at, row.line))
        recorded: list[Classified] = []
        for start in range(0, len(ordered), BATCH):
            batch = [
                classified_visit(
                    patient=patients[row.patient.mrn],
                    clinician_id=row.clinician_id,
                    answers=row.answers,
                    covariates=row.covariates,
                    visit_at=row.visit_at,
                    submission_id=uuid.uuid4(),
                )
                for row in ordered[start : start + BATCH]
            ]
            Visit.objects.bulk_create([classified.visit for classified in batch])
            recorded += batch
            if progress is not None:
                progress(f"wrote {len(recorded)} of {len(ordered)} visits")
        touched = _flags(recorded, actor)
        summary = ImportSummary(
            visits=len(recorded),
            patients_created=created,
            patients_existing=len(patients) - created,
            flags=len(touched),
        )
        record_audit(
            actor=actor,
            action=AuditAction.IMPORT,
            detail={
                "dataset": "visits",
                "rows": len(rows),
                "format": source,
                "patients_created": summary.patients_created,
                "flags": summary.flags,
            },
        )
    return summary


def _patients(rows: list[ValidRow], actor: Actor) -> tuple[dict[str, Patient], int]:
    """The rows' patients by MRN, the missing ones created; existing ones locked as record_visit
    locks them, so flags are decided on committed data."""
    mrns = sorted({row.patient.mrn for row in rows})
    patients: dict[str, Patient] = {}
    for start in range(0, len(mrns), BATCH):
        chunk = Patient.objects.select_for_update().filter(mrn__in=mrns[start : start + BATCH])
        patients.update((p.mrn, p) for p in chunk.order_by("id"))
    first = {}
    for row in rows:
        first.setdefault(row.patient.mrn, row.patient)
    new = [
        Patient(
            mrn=data.mrn,
            given_name=data.given_name,
            family_name=data.family_name,
            date_of_birth=data.date_of_birth,
            sex=data.sex,
            education=data.education,
            earnings=data.earnings,
            created_by=actor.user,
        )
        for mrn, data in first.items()
        if mrn not in patients
    ]
    for patient in Patient.objects.bulk_create(new, batch_size=BATCH):
        patients[patient.mrn] = patient
    return patients, len(new)


def _flags(recorded: list[Classified], actor: Actor) -> set[int]:
    """Flags opened or attached, oldest visit first, exactly as record_visit raises them; one
    safety e-mail per safety flag, not per imported visit."""
    touched: set[int] = set()
    safety: set[int] = set()
    for classified in recorded:
        visit = classified.visit
        flag_ids = open_or_attach(
            patient=visit.patient, visit=visit, raised=classified.raised, actor=actor
        )
        touched |= set(flag_ids.values())
        if flags.FlagKind.SAFETY in flag_ids:
            safety.add(flag_ids[flags.FlagKind.SAFETY])
    notify_safety_on_commit(safety)
    return touched
