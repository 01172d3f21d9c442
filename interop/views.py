"""FHIR read and search (docs/fhir-api.md). Each view is reached through interop.registry's
URLs, checks its token in api_view, notes the patient for the audit row, and answers FHIR JSON.
"""

import re
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from exports import fhir
from interop import resources, search, selectors
from interop.auth import api_view, audit_api_call
from interop.outcomes import fhir_response, not_found
from interop.search import Query, SearchRefused

_OBSERVATION_ID = re.compile(
    rf"^(\d{{1,{selectors.MAX_ID_DIGITS}}})-({'|'.join(fhir.OBSERVATION_CODES)})$"
)


def _searchset(
    request: HttpRequest, type_name: str, query: Query, total: int, found: list[dict[str, Any]]
) -> HttpResponse:
    audit_api_call(request, matches=total, returned=len(found))
    return fhir_response(search.bundle(type_name, query, total, found))


def _page(queryset: Any, query: Query) -> tuple[int, list[Any]]:
    total = queryset.count()
    if query.count == 0 or query.offset >= total:
        return total, []
    return total, list(queryset[query.offset : query.offset + query.count])


# Patient -----------------------------------------------------------------------------------


@api_view(resource="Patient", interaction="read")
def patient_read(request: HttpRequest, id: str) -> HttpResponse:
    pk = selectors.as_pk(id)
    found = selectors.patient(pk) if pk is not None else None
    if found is None:
        return not_found("No Patient with this id.")
    audit_api_call(request, patient=found, obj=found)
    return fhir_response(resources.patient(found))


def _mrns(query: Query) -> list[str]:
    mrns = []
    for token in query.ors("identifier"):
        system, bar, value = token.rpartition("|")
        if not value:
            raise search.refuse("identifier", "identifier needs a value: <system>|<mrn> or <mrn>.")
        if bar and system and system != fhir.MRN_SYSTEM:
            continue  # another system's identifier: none of ours match it
        mrns.append(value)
    return mrns


@api_view(resource="Patient", interaction="search-type")
def patient_search(request: HttpRequest, params: Sequence[Any]) -> HttpResponse:
    try:
        query = search.parse(request, params)
        query.require("identifier")
        total, found = _page(selectors.patients_by_mrn(_mrns(query)), query)
    except SearchRefused as refused:
        return refused.response()
    if total == 1 and found:
        audit_api_call(request, patient=found[0])
    return _searchset(request, "Patient", query, total, [resources.patient(p) for p in found])


# QuestionnaireResponse ---------------------------------------------------------------------


@api_view(resource="QuestionnaireResponse", interaction="read")
def response_read(request: HttpRequest, id: str) -> HttpResponse:
    pk = selectors.as_pk(id)
    visit = selectors.visit(pk) if pk is not None else None
    if visit is None:
        return not_found("No QuestionnaireResponse with this id.")
    audit_api_call(request, patient=visit.patient, obj=visit)
    return fhir_response(resources.response(visit))


def _patient_for_search(request: HttpRequest, query: Query) -> Any:
    """The patient the search names, noted for the audit row; None when it names none of ours."""
    pk = search.patient_id(query)
    patient = selectors.patient(pk) if pk is not None else None
    if patient is not None:
        audit_api_call(request, patient=patient)
    return patient


@api_view(resource="QuestionnaireResponse", interaction="search-type")
def response_search(request: HttpRequest, params: Sequence[Any]) -> HttpResponse:
    try:
        query = search.parse(request, params)
        patient = _patient_for_search(request, query)
    except SearchRefused as refused:
        return refused.response()
    total, visits = _page(selectors.current_visits(patient.pk), query) if patient else (0, [])
    found = [resources.response(visit) for visit in visits]
    return _searchset(request, "QuestionnaireResponse", query, total, found)


# Observation -------------------------------------------------------------------------------


@api_view(resource="Observation", interaction="read")
def observation_read(request: HttpRequest, id: str) -> HttpResponse:
    match = _OBSERVATION_ID.match(id)
    visit = selectors.visit(int(match[1])) if match else None
    if match is None or visit is None:
        return not_found("No Observation with this id.")
    audit_api_call(request, patient=visit.patient, obj=visit)
    return fhir_response(resources.observations(visit)[match[2]])


def _observation_kinds(query: Query) -> list[str]:
    """Which of each visit's Observations the `code` parameter asks for, in their order."""
    wanted = query.ors("code")
    if not wanted:
        return list(fhir.OBSERVATION_CODES)
    kinds = []
    for kind, coding in fhir.OBSERVATION_CODES.items():
        for token in wanted:
            system, bar, code = token.rpartition("|")
            if code == coding["code"] and (not bar or not system or system == coding["system"]):
                kinds.append(kind)
                break
    return kinds


@api_view(resource="Observation", interaction="search-type")
def observation_search(request: HttpRequest, params: Sequence[Any]) -> HttpResponse:
    try:
        query = search.parse(request, params)
        patient = _patient_for_search(request, query)
        kinds = _observation_kinds(query)
    except SearchRefused as refused:
        return refused.response()
    total, found = 0, []
    if patient is not None and kinds:
        # each visit holds len(kinds) matches: page over visits, then cut the page exactly
        per_visit = len(kinds)
        visits = selectors.current_visits(patient.pk)
        total = visits.count() * per_visit
        if query.count and query.offset < total:
            first = query.offset // per_visit
            last = -(-(query.offset + query.count) // per_visit)
            built = [
                resources.observations(visit)[kind]
                for visit in visits[first:last]
                for kind in kinds
            ]
            skip = query.offset - first * per_visit
            found = built[skip : skip + query.count]
    return _searchset(request, "Observation", query, total, found)


# Flag --------------------------------------------------------------------------------------


@api_view(resource="Flag", interaction="read")
def flag_read(request: HttpRequest, id: str) -> HttpResponse:
    pk = selectors.as_pk(id)
    found = selectors.flag(pk) if pk is not None else None
    if found is None:
        return not_found("No Flag with this id.")
    audit_api_call(request, patient=found.patient, obj=found)
    return fhir_response(resources.flag(found))


_FLAG_STATUS = {"active": True, "inactive": False}


@api_view(resource="Flag", interaction="search-type")
def flag_search(request: HttpRequest, params: Sequence[Any]) -> HttpResponse:
    try:
        query = search.parse(request, params)
        patient = _patient_for_search(request, query)
        statuses = query.ors("status")
        if any(status not in (*_FLAG_STATUS, "entered-in-error") for status in statuses):
            raise search.refuse("status", "status is active, inactive or entered-in-error.")
    except SearchRefused as refused:
        return refused.response()
    wanted = {_FLAG_STATUS[status] for status in statuses if status in _FLAG_STATUS}
    if statuses and not wanted:
        patient = None  # entered-in-error only: we never mark a flag so
    active = next(iter(wanted)) if len(wanted) == 1 else None
    total, flags = _page(selectors.flags(patient.pk, active=active), query) if patient else (0, [])
    return _searchset(request, "Flag", query, total, [resources.flag(flag) for flag in flags])
