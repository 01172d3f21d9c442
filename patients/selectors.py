"""Reads that the patient pages share: search, duplicate check and the timeline."""

import datetime as dt
import re
from typing import Literal

from django.db.models import Exists, OuterRef, Q, QuerySet

from patients.models import Patient
from screening.models import Visit

SearchKind = Literal["date_of_birth", "mrn_or_name"]


def parse_date_of_birth(text: str) -> dt.date | None:
    """A YYYY-MM-DD date, or None if `text` is not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def search_kind(query: str) -> SearchKind:
    """What a search box entry is taken to be (kept in the audit log instead of the entry)."""
    return "date_of_birth" if parse_date_of_birth(query.strip()) else "mrn_or_name"


def search_patients(query: str) -> QuerySet[Patient]:
    """Patients matching an exact MRN, a YYYY-MM-DD date of birth, or every word of a name.

    Name words match given or family name anywhere, ignoring case and accents ("jose" finds
    "José"), so "ana lop" finds Ana López.
    """
    query = query.strip()
    date_of_birth = parse_date_of_birth(query)
    if date_of_birth is not None:
        return Patient.objects.filter(date_of_birth=date_of_birth)
    words = [word for word in re.split(r"[\s,]+", query) if word]
    if not words:
        return Patient.objects.none()
    by_name = Q()
    for word in words:
        by_name &= Q(given_name__unaccent__icontains=word) | Q(
            family_name__unaccent__icontains=word
        )
    return Patient.objects.filter(Q(mrn=query) | by_name)


def likely_duplicates(
    *, given_name: str, family_name: str, date_of_birth: dt.date
) -> QuerySet[Patient]:
    """Registered patients with the same name (ignoring case and accents) and date of birth."""
    return Patient.objects.filter(
        date_of_birth=date_of_birth,
        given_name__unaccent__iexact=given_name.strip(),
        family_name__unaccent__iexact=family_name.strip(),
    )


def patient_visits(patient_id: int) -> QuerySet[Visit]:
    """The patient's visits, newest first, each marked `is_amended` when a newer one replaces it."""
    return (
        Visit.objects.filter(patient_id=patient_id)
        .select_related("clinician")
        .annotate(is_amended=Exists(Visit.objects.filter(amends=OuterRef("pk"))))
        .order_by("-visit_at", "-id")
    )
