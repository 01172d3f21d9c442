"""Reads of the audit trail: the filtered log, its CSV rows, and who accessed a patient."""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from audit.models import Audit, AuditAction
from audit.sentences import describe
from lib.dates import day_range, within_range
from patients.models import Patient

CSV_HEADER = (
    "at",
    "username",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "patient_id",
    "ip_address",
    "detail",
    "description",
)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page shows. Holds the patient's id, never the MRN, so that it can sit in
    the session and in audit rows' detail without carrying an identifier."""

    username: str = ""
    patient_id: int | None = None
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: for the session and for the detail of AUDIT_VIEW / AUDIT_EXPORT rows."""
        data = asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return {key: value for key, value in data.items() if value not in ("", None)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "AuditFilter":
        """Rebuild a filter from `as_dict`; anything malformed (a date outside lib.dates' range
        too) is dropped, not trusted, so `as_dict` of the result differs from `data`."""
        data = data if isinstance(data, dict) else {}
        return cls(
            username=str(data.get("username", ""))[:150],
            patient_id=_int_or_none(data.get("patient_id")),
            action=data.get("action", "") if data.get("action") in AuditAction.values else "",
            date_from=_date_or_none(data.get("date_from")),
            date_to=_date_or_none(data.get("date_to")),
        )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _date_or_none(value: Any) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
    return day if day is not None and within_range(day) else None


def audit_rows(audit_filter: AuditFilter) -> QuerySet[Audit]:
    """Audit rows matching the filter, newest first, with the patient's MRN joined in."""
    rows = Audit.objects.select_related("patient").only(
        "at",
        "username",
        "action",
        "object_type",
        "object_id",
        "ip_address",
        "detail",
        "actor_id",
        "patient__mrn",
    )
    if audit_filter.username:
        # The username column holds the name at the time; the actor link survives a rename.
        # The actor's id is read first: against a literal id Postgres ORs two indexes
        # (audit_username_at, audit_actor_at), where a subquery made it scan the whole table.
        named = User.objects.filter(username=audit_filter.username).values_list("pk", flat=True)
        rows = rows.filter(Q(username=audit_filter.username) | Q(actor_id__in=list(named)))
    if audit_filter.patient_id is not None:
        rows = rows.filter(patient_id=audit_filter.patient_id)
    if audit_filter.action:
        rows = rows.filter(action=audit_filter.action)
    start, end = day_range(audit_filter.date_from, audit_filter.date_to)
    if start is not None:
        rows = rows.filter(at__gte=start)
    if end is not None:
        rows = rows.filter(at__lt=end)
    return rows.order_by("-at", "-id")


def csv_rows(audit_filter: AuditFilter) -> Iterator[tuple[Any, ...]]:
    """The header, then one tuple per matching row, streamed from a server-side cursor.

    Patients appear by id only: a downloaded audit file carries no identifier.
    """
    yield CSV_HEADER
    labels = dict(AuditAction.choices)
    rows = audit_rows(audit_filter).values_list(
        "at",
        "username",
        "action",
        "object_type",
        "object_id",
        "patient_id",
        "ip_address",
        "detail",
    )
    for at, username, action, object_type, object_id, patient_id, ip, detail in rows.iterator(
        chunk_size=2000
    ):
        yield (
            at.isoformat(),
            username,
            action,
            labels.get(action, action),
            object_type,
            object_id,
            patient_id if patient_id is not None else "",
            ip or "",
            json.dumps(detail, sort_keys=True) if detail else "",
            describe(action, object_type, object_id, detail),
        )


def patient_access(patient_id: int, limit: int = 20) -> list[Audit]:
    """The latest `limit` audit rows naming this patient: who, which action, when."""
    return list(
        Audit.objects.filter(patient_id=patient_id)
        .only("at", "username", "action", "actor_id")
        .order_by("-at", "-id")[:limit]
    )


def patient_id_for_mrn(mrn: str) -> int | None:
    return Patient.objects.filter(mrn=mrn).values_list("pk", flat=True).first()


def mrn_for_patient(patient_id: int) -> str | None:
    return Patient.objects.filter(pk=patient_id).values_list("mrn", flat=True).first()
