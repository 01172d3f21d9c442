"""QuestionnaireResponses and Bundles as an outside client builds them from answer sets, with
the codings of the served Questionnaire (what an SDC renderer would send)."""

from typing import Any

from exports import sdc
from exports.fhir import MRN_SYSTEM

FHIR_JSON = "application/fhir+json"
SCREEN = sdc.questionnaire_resource()
_OPTIONS = {
    item["linkId"]: {o["valueCoding"]["code"]: o["valueCoding"] for o in item["answerOption"]}
    for item in SCREEN["item"]
    if "answerOption" in item
}


def answer_items(answers: dict[str, object]) -> list[dict[str, Any]]:
    """The response's items: one per answered key, in the Questionnaire's order."""
    items = []
    for entry in SCREEN["item"]:
        key = entry["linkId"]
        if answers.get(key) is None:
            continue
        value = answers[key]
        if isinstance(value, bool):
            answer: dict[str, Any] = {"valueBoolean": value}
        else:
            answer = {"valueCoding": _OPTIONS[key][value]}
        items.append({"linkId": key, "text": entry["text"], "answer": [answer]})
    return items


def contained_patient(mrn: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "pt",
        "identifier": [{"system": MRN_SYSTEM, "value": mrn}],
        "name": [{"family": fields.get("family", "Rivera"), "given": [fields.get("given", "Ana")]}],
        "birthDate": fields.get("birth_date", "1970-04-12"),
        "gender": fields.get("gender", "female"),
    }


def response(
    answers: dict[str, object],
    *,
    mrn: str,
    identifier: str | None = None,
    register: bool = True,
    authored: str = "2026-03-02T09:30:00Z",
) -> dict[str, Any]:
    """A completed QuestionnaireResponse to the screen for the patient with `mrn`: with a
    contained Patient carrying demographics when `register`, else a logical identifier."""
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": sdc.QUESTIONNAIRE_URL,
        "status": "completed",
        "authored": authored,
    }
    if identifier is not None:
        resource["identifier"] = {"system": "urn:ehr:screens", "value": identifier}
    if register:
        resource["contained"] = [contained_patient(mrn)]
        resource["subject"] = {"reference": "#pt"}
    else:
        resource["subject"] = {"identifier": {"system": MRN_SYSTEM, "value": mrn}}
    resource["item"] = answer_items(answers)
    return resource


def transaction(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
                "resource": resource,
                "request": {"method": "POST", "url": "QuestionnaireResponse"},
            }
            for index, resource in enumerate(resources)
        ],
    }
