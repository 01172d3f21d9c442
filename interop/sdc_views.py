"""The screen's Questionnaire and screens coming in: `GET /fhir/Questionnaire/<id>`,
`POST /fhir/QuestionnaireResponse` and a transaction Bundle at `POST /fhir` (issue 18, 1-2;
docs/fhir-api.md "Responses in")."""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from audit.requests import client_ip
from exports.sdc import QUESTIONNAIRE_ID, Problem, questionnaire_resource
from interop import resources
from interop.auth import api_view, audit_api_call
from interop.models import Scope
from interop.outcomes import Issue, fhir_response, not_found, outcome_response
from interop.responses import Refused, Submission, accept_responses, read_submission
from screening.models import Visit
from screening.services.visits import Recorded


def _visit_bundle(visit: Visit) -> dict[str, Any]:
    """A collection Bundle: the visit's QuestionnaireResponse and its two Observations, as the
    reads serve them (interop.resources)."""
    built = [resources.response(visit), *resources.observations(visit).values()]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{settings.SITE_URL}/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in built
        ],
    }


def _refused(problems: list[Problem]) -> HttpResponse:
    return outcome_response(
        422,
        *(Issue(p.code, p.diagnostics, expression=[p.expression]) for p in problems),
    )


class _NotJson(Exception):
    """The request body does not parse as JSON."""


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise _NotJson from error


def _not_json() -> HttpResponse:
    return outcome_response(400, Issue("invalid", "The request body is not JSON."))


@api_view(resource="Questionnaire", interaction="read")
def questionnaire(request: HttpRequest, id: str) -> HttpResponse:
    """The screen as an SDC Questionnaire."""
    if id != QUESTIONNAIRE_ID:
        return not_found("No such Questionnaire: this server serves spine-mood-screen.")
    return fhir_response(questionnaire_resource())


def _record(request: HttpRequest, submissions: list[Submission]) -> list[Recorded]:
    """Record the submissions as the calling client; raises Refused (nothing written)."""
    recorded = accept_responses(
        submissions=submissions,
        client=request.api_client,  # type: ignore[attr-defined]
        ip_address=client_ip(request),
        require_existing=settings.FHIR_REQUIRE_EXISTING_PATIENTS,
    )
    patients = {result.visit.patient_id for result in recorded}
    audit_api_call(
        request,
        patient=recorded[0].visit.patient if len(patients) == 1 else None,
        obj=recorded[0].visit if len(recorded) == 1 else None,
        visits=[result.visit.pk for result in recorded],
        created=sum(result.created for result in recorded),
    )
    return recorded


def _location(result: Recorded) -> str:
    return f"QuestionnaireResponse/{result.visit.pk}"


@api_view(
    resource="QuestionnaireResponse", interaction="create", scope=Scope.WRITE, methods=("POST",)
)
def create_response(request: HttpRequest) -> HttpResponse:
    """A QuestionnaireResponse recorded as a visit: 201 with Location and a collection Bundle
    of the response and its Observations; 200 with the same for an identifier seen before."""
    try:
        (result,) = _record(request, [read_submission(_body(request))])
    except _NotJson:
        return _not_json()
    except Refused as refused:
        return _refused(refused.problems)
    return fhir_response(
        _visit_bundle(result.visit),
        201 if result.created else 200,
        Location=f"/fhir/{_location(result)}",
    )


def _entries(bundle: Any) -> list[Submission]:
    """The Bundle's responses as submissions; raises Refused naming each bad entry."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise Refused([Problem("structure", "Bundle", "expected a Bundle of type transaction")])
    if bundle.get("type") != "transaction":
        raise Refused([Problem("value", "Bundle.type", "only a transaction Bundle is accepted")])
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        raise Refused([Problem("required", "Bundle.entry", "the Bundle has no entries")])
    submissions, problems = [], []
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or (request.get("method"), request.get("url")) != (
            "POST",
            "QuestionnaireResponse",
        ):
            problems.append(
                Problem(
                    "not-supported",
                    f"{where}.request",
                    "each entry must be a POST of a QuestionnaireResponse",
                )
            )
            continue
        try:
            submissions.append(read_submission(entry.get("resource"), f"{where}.resource"))
        except Refused as refused:
            problems.extend(refused.problems)
    if problems:
        raise Refused(problems)
    return submissions


@api_view(resource="Bundle", interaction="transaction", scope=Scope.WRITE, methods=("POST",))
def transaction(request: HttpRequest) -> HttpResponse:
    """A transaction Bundle of QuestionnaireResponses, recorded all or none: 200 with a
    transaction-response Bundle, each entry's resource the collection a single POST returns."""
    try:
        recorded = _record(request, _entries(_body(request)))
    except _NotJson:
        return _not_json()
    except Refused as refused:
        return _refused(refused.problems)
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [
                {
                    "resource": _visit_bundle(result.visit),
                    "response": {
                        "status": "201 Created" if result.created else "200 OK",
                        "location": _location(result),
                    },
                }
                for result in recorded
            ],
        }
    )
