"""What the FHIR API serves, written once: the URLs (interop.urls) and the CapabilityStatement
(`GET /fhir/metadata`, interop.capability) are both generated from RESOURCES, so neither can
list what the other does not serve.

To serve a new interaction, give its view (guarded by interop.auth.api_view) to the resource's
entry here. A search view is called with the entry's `search_params`, the only parameters it
accepts (interop.search), so the statement names exactly what the view reads.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse

from interop import sdc_views, views

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # a FHIR search parameter type: token, reference, ...
    documentation: str
    definition: str = ""  # the canonical SearchParameter, for the standard ones


@dataclass(frozen=True)
class Resource:
    """One resource type and the views that serve its interactions (None: not served)."""

    type: str
    documentation: str
    read: View | None = None
    search: View | None = None
    create: View | None = None
    search_params: tuple[SearchParam, ...] = ()

    @property
    def interactions(self) -> list[str]:
        """FHIR interaction codes, in the order the CapabilityStatement lists them."""
        served = {"read": self.read, "search-type": self.search, "create": self.create}
        return [code for code, view in served.items() if view is not None]


def _standard(resource: str, name: str) -> str:
    return f"http://hl7.org/fhir/SearchParameter/{resource}-{name}"


_PATIENT_REFERENCE = "The patient: its id, or Patient/<id>."

RESOURCES: tuple[Resource, ...] = (
    Resource(
        "Questionnaire",
        "The screen as an SDC Questionnaire, id spine-mood-screen, with enableWhen reproducing "
        "the skip logic (docs/fhir-api.md).",
        read=sdc_views.questionnaire,
    ),
    Resource(
        "Patient",
        "The clinic's patients, identified by MRN.",
        read=views.patient_read,
        search=views.patient_search,
        search_params=(
            SearchParam(
                "identifier",
                "token",
                "The MRN: <system>|<mrn>, or the bare MRN.",
                _standard("Patient", "identifier"),
            ),
        ),
    ),
    Resource(
        "QuestionnaireResponse",
        "Screens, one per visit (the current version of an amended visit in searches). "
        "Create records a completed screen for a patient by MRN as a visit, like a form's "
        "submit, answered with the response and its Observations (docs/fhir-api.md).",
        read=views.response_read,
        search=views.response_search,
        create=sdc_views.create_response,
        search_params=(
            SearchParam(
                "patient",
                "reference",
                _PATIENT_REFERENCE,
                _standard("QuestionnaireResponse", "patient"),
            ),
        ),
    ),
    Resource(
        "Observation",
        "The two classifications of each screen, derived from its QuestionnaireResponse.",
        read=views.observation_read,
        search=views.observation_search,
        search_params=(
            SearchParam(
                "patient", "reference", _PATIENT_REFERENCE, _standard("clinical", "patient")
            ),
            SearchParam(
                "code",
                "token",
                "SNOMED CT 161891005 (back pain) or 370143000 (major depression), as "
                "<system>|<code> or <code>; several separated by commas.",
                _standard("clinical", "code"),
            ),
        ),
    ),
    Resource(
        "Flag",
        "Flags raised for review: active while open or in review, inactive once resolved.",
        read=views.flag_read,
        search=views.flag_search,
        search_params=(
            SearchParam(
                "patient", "reference", _PATIENT_REFERENCE, _standard("clinical", "patient")
            ),
            SearchParam("status", "token", "active or inactive.", ""),
        ),
    ),
)


def resource(type_name: str) -> Resource | None:
    return next((entry for entry in RESOURCES if entry.type == type_name), None)
