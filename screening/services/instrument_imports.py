"""Importing recorded instruments: each row recorded as record_instrument records one (its
flag events, a SAFETY flag for a PHQ-9 item 9, its audit row), all in one transaction or none."""

import uuid
from dataclasses import dataclass

from django.db import transaction

from audit.models import AuditAction
from audit.services import Actor, record_audit
from screening.importing.instruments import NOT_SCREENED, InstrumentRow
from screening.importing.rows import RowError
from screening.services.instruments import NoVisitYet, _audit_detail, _write


class InstrumentImportFailed(Exception):
    """A row could not be recorded (nothing was written); `error` names its line and key."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class InstrumentImportSummary:
    """What an import wrote; counts only, so it can go into the audit trail."""

    instruments: int
    positive: int
    safety_flags: int


def import_instruments(
    *, rows: list[InstrumentRow], actor: Actor, source: str
) -> InstrumentImportSummary:
    """Every row recorded (oldest first) with its INSTRUMENT_RECORD audit row, then one IMPORT
    row, in one transaction; raises InstrumentImportFailed and writes nothing."""
    safety: set[int] = set()
    positive = 0
    with transaction.atomic(durable=True):
        for row in sorted(rows, key=lambda row: (row.administered_at, row.line)):
            try:
                recorded, safety_id = _write(
                    patient=row.patient,
                    instrument=row.instrument,
                    answers=row.answers,
                    administered_at=row.administered_at,
                    submission_id=uuid.uuid4(),
                    actor=actor,
                    flag=None,
                )
            except NoVisitYet:
                # checked before the import; only a visit removed since could get here
                raise InstrumentImportFailed(RowError(row.line, "mrn", NOT_SCREENED)) from None
            record_audit(
                actor=actor,
                action=AuditAction.INSTRUMENT_RECORD,
                obj=recorded,
                patient=row.patient,
                detail=_audit_detail(recorded, safety_id) | {"imported": True},
            )
            positive += recorded.positive
            if safety_id is not None:
                safety.add(safety_id)
        summary = InstrumentImportSummary(
            instruments=len(rows), positive=positive, safety_flags=len(safety)
        )
        record_audit(
            actor=actor,
            action=AuditAction.IMPORT,
            detail={
                "dataset": "instruments",
                "rows": len(rows),
                "format": source,
                "positive": positive,
                "safety_flags": len(safety),
            },
        )
    return summary
