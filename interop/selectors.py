"""The API's reads, with their joins and order set here (paging slices these in SQL)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from patients.models import Patient
from screening.models import Flag, FlagStatus, Visit

# Any bigint id fits; longer digit strings are no id of ours (and would overflow the query).
MAX_ID_DIGITS = 18


def as_pk(value: str) -> int | None:
    """The primary key a FHIR id names, or None when it cannot be one of ours."""
    if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        return int(value)
    return None


def patient(pk: int) -> Patient | None:
    return Patient.objects.filter(pk=pk).first()


def patients_by_mrn(mrns: list[str]) -> QuerySet[Patient]:
    return Patient.objects.filter(mrn__in=mrns).order_by("mrn", "id")


def visit(pk: int) -> Visit | None:
    return Visit.objects.select_related("patient", "clinician").filter(pk=pk).first()


def current_visits(patient_id: int) -> QuerySet[Visit]:
    """The patient's visits no amendment replaced, newest first."""
    replaced = Visit.objects.filter(amends=OuterRef("pk"))
    return (
        Visit.objects.filter(patient_id=patient_id)
        .filter(~Exists(replaced))
        .select_related("clinician")
        .order_by("-visit_at", "-id")
    )


def flag(pk: int) -> Flag | None:
    return Flag.objects.select_related("patient").filter(pk=pk).first()


def flags(patient_id: int, *, active: bool | None) -> QuerySet[Flag]:
    """The patient's flags, newest first; active = not resolved, None = all."""
    found = Flag.objects.filter(patient_id=patient_id)
    if active is not None:
        unresolved = ~Q(status=FlagStatus.RESOLVED)
        found = found.filter(unresolved if active else ~unresolved)
    return found.order_by("-opened_at", "-id")
