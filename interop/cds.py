"""CDS Hooks (`/cds-services`): discovery and the patient-view service (docs/fhir-api.md
"CDS Hooks"). Behind the same bearer tokens as the FHIR API."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from interop.auth import api_view

SERVICES: list[dict[str, object]] = []


@api_view(resource="CDSServices", interaction="discovery")
def discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"services": SERVICES})
