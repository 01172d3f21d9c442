"""`GET /fhir/metadata`: the CapabilityStatement, generated from interop.registry.

It is served without a token, as FHIR servers do, since it holds no patient data and a client
reads it to learn how to authenticate; every other URL of the API needs one.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from interop.outcomes import fhir_response
from interop.registry import RESOURCES
from interop.search import base_url

SOFTWARE = "Spine & Mood Screen"
FHIR_VERSION = "4.0.1"
RELEASED = "2026-12-02"


def capability_statement() -> dict[str, Any]:
    """What the API serves: every resource, interaction and search parameter of the registry."""
    resources = []
    for entry in RESOURCES:
        described: dict[str, Any] = {
            "type": entry.type,
            "documentation": entry.documentation,
            "interaction": [{"code": code} for code in entry.interactions],
        }
        if entry.search_params:
            described["searchParam"] = [
                {
                    "name": param.name,
                    **({"definition": param.definition} if param.definition else {}),
                    "type": param.type,
                    "documentation": param.documentation,
                }
                for param in entry.search_params
            ]
        resources.append(described)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASED,
        "kind": "instance",
        "software": {"name": SOFTWARE},
        "implementation": {"description": f"{SOFTWARE} FHIR API", "url": base_url()},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Every interaction but this statement needs an API client's "
                "bearer token (docs/fhir-api.md).",
                "security": {
                    "cors": False,
                    "service": [{"text": "Bearer token of an API client an administrator created"}],
                    "description": "Send `Authorization: Bearer <token>`. Tokens are read or "
                    "read-write; a read token on a write gets 403.",
                },
                "resource": resources,
                # POST /fhir: a transaction Bundle of QuestionnaireResponses (interop.sdc_views)
                "interaction": [{"code": "transaction"}],
            }
        ],
    }


@csrf_exempt
@login_not_required
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement())
