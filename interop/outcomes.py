"""FHIR OperationOutcome responses: every refusal of the API says why in one shape.

An issue names its problem with a code of the FHIR issue-type value set and, where it is about
one answer or parameter, the linkId or path in `expression`.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class Issue:
    """One problem: severity (fatal|error|warning|information), code (invalid, not-found, ...)."""

    code: str
    diagnostics: str
    severity: str = "error"
    expression: list[str] = field(default_factory=list)

    def as_fhir(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.diagnostics,
        }
        if self.expression:
            issue["expression"] = list(self.expression)
        return issue


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    """An OperationOutcome resource with the issues, in order."""
    return {"resourceType": "OperationOutcome", "issue": [issue.as_fhir() for issue in issues]}


def fhir_response(resource: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    """A resource as `application/fhir+json`."""
    body = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome_response(status: int, *issues: Issue, **headers: str) -> HttpResponse:
    """An OperationOutcome with the issues, answered with the HTTP status."""
    return fhir_response(operation_outcome(list(issues)), status, **headers)


def not_found(diagnostics: str = "No such resource.") -> HttpResponse:
    return outcome_response(404, Issue("not-found", diagnostics))
