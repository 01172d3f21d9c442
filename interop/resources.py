"""Our rows as FHIR resources, through the export's builders (exports.fhir), so the API and the
export serve the same resources."""

from typing import Any

from exports import fhir
from patients.models import Patient
from screening import questionnaire
from screening.models import Flag, FlagStatus, Visit


def patient(row: Patient) -> dict[str, Any]:
    return fhir.patient_resource(
        id=row.pk,
        mrn=row.mrn,
        family_name=row.family_name,
        given_name=row.given_name,
        sex=row.sex,
        date_of_birth=row.date_of_birth,
    )


def response(visit: Visit) -> dict[str, Any]:
    """The visit's QuestionnaireResponse; needs `clinician` loaded (select_related)."""
    return fhir.response_resource(
        id=visit.pk,
        answers={key: getattr(visit, key) for key in questionnaire.ITEMS},
        subject=fhir.patient_reference(visit.patient_id),
        authored=fhir.fhir_when(visit.visit_at),
        author=visit.clinician.username,
    )


def observations(visit: Visit) -> dict[str, dict[str, Any]]:
    """The visit's Observations by their id suffix (exports.fhir.OBSERVATION_CODES)."""
    built = fhir.observation_resources(
        visit=visit.pk,
        subject=fhir.patient_reference(visit.patient_id),
        when=fhir.fhir_when(visit.visit_at),
        back_pain=visit.back_pain,
        back_pain_answered=visit.back_pain_answered,
        major_depression=visit.major_depression,
        path=visit.path,
        symptom_count=visit.symptom_count,
        criteria_version=visit.criteria_version,
    )
    return dict(zip(fhir.OBSERVATION_CODES, built, strict=True))


def flag(row: Flag) -> dict[str, Any]:
    resolved = row.resolved_at if row.status == FlagStatus.RESOLVED else None
    return fhir.flag_resource(
        id=row.pk,
        kind=row.kind,
        opened=row.opened_at,
        subject=fhir.patient_reference(row.patient_id),
        resolved=resolved,
    )
