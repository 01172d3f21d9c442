"""Reads that the patient pages share: search, duplicate check and the timeline."""

import datetime as dt
import re
from typing import Literal

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from patients.folding import folded
from patients.models import Patient
from screening.models import Visit

SearchKind = Literal["date_of_birth", "mrn_or_name"]


US_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
MIN_MRN_PART = 3  # a shorter entry would match too many MRNs


def parse_date_of_birth(text: str) -> dt.date | None:
    """A date as a clinic types it, or None if `text` is not one.

    Either YYYY-MM-DD (1956-05-28) or the US order month/day/year with a four-digit year:
    05/28/1956, 5/28/1956, 05-28-1956 or 05.28.1956. Day/month order (28/05/1956) is not read.
    """
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if found := US_DATE.fullmatch(text):
            month, day, year = (int(part) for part in found.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def search_kind(query: str) -> SearchKind:
    """What a search box entry is taken to be (kept in the audit log instead of the entry)."""
    return "date_of_birth" if parse_date_of_birth(query.strip()) else "mrn_or_name"


def search_patients(query: str) -> QuerySet[Patient]:
    """Patients matching a date of birth, an MRN or part of one, or every word of a name.

    A date is YYYY-MM-DD or US month/day/year (parse_date_of_birth). An entry that is a
    registered MRN exactly finds that patient alone (one look-up of the MRN's unique index).
    Otherwise an entry of one word and at least MIN_MRN_PART characters finds MRNs containing it,
    ignoring case ("4411" and "mrn-44" find MRN-4411), and name words match given or family name
    anywhere, ignoring case and accents ("jose" finds "José"), so "ana lop" finds Ana López.
    Every test is on a trigram index (patients migrations 0003 and 0004): of UPPER(mrn), and of
    the stored columns given_folded and family_folded, UPPER(immutable_unaccent(name)), to which
    the words are folded the same way (patients.folding.folded).
    """
    query = query.strip()
    date_of_birth = parse_date_of_birth(query)
    if date_of_birth is not None:
        return Patient.objects.filter(date_of_birth=date_of_birth)
    words = [word for word in re.split(r"[\s,]+", query) if word]
    if not words:
        return Patient.objects.none()
    exact = Patient.objects.filter(mrn=query)
    if exact.exists():
        return exact
    by_name = Q()
    for word in words:
        pattern = folded(Value(word))
        by_name &= Q(given_folded__contains=pattern) | Q(family_folded__contains=pattern)
    matches = Patient.objects.all()
    if len(words) == 1 and len(query) >= MIN_MRN_PART:
        return matches.filter(Q(mrn__icontains=query) | by_name)
    return matches.filter(by_name)


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
