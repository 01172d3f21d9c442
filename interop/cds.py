"""CDS Hooks (`/cds-services`): discovery and the patient-view service (docs/fhir-api.md
"CDS Hooks"). Behind the same bearer tokens as the FHIR API."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse

from interop import cds_cards
from interop.auth import api_view, audit_api_call

SERVICES: list[dict[str, object]] = [cds_cards.service()]


@api_view(resource="CDSServices", interaction="discovery")
def discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"services": SERVICES})


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@api_view(resource="CDSServices", interaction=cds_cards.HOOK, methods=("POST",))
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    """The cards for the patient the hook request names; an unknown patient gets none, with 200."""
    if service_id != cds_cards.SERVICE_ID:
        return _error(404, "No such CDS service.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The request body is not JSON.")
    if not isinstance(body, dict) or body.get("hook") != cds_cards.HOOK:
        return _error(400, f"This service answers the {cds_cards.HOOK} hook only.")
    app_url = request.build_absolute_uri("/").rstrip("/")
    patient, cards = cds_cards.patient_view(body, app_url)
    audit_api_call(
        request,
        patient=patient,
        obj=patient,
        service=cds_cards.SERVICE_ID,
        patient_found=patient is not None,
        cards=[card["indicator"] for card in cards],
    )
    return JsonResponse({"cards": cards})
