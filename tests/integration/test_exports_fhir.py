"""FHIR R4 NDJSON exports: every resource parses with fhir.resources' R4 models.

fhir.resources 8.3 has no separate R4 package: its `R4B` package (FHIR 4.3.0) is the R4 line, and
the resources exported here (CodeSystem, Questionnaire, QuestionnaireResponse, Patient,
Observation, Flag) did not change between R4 and R4B (https://hl7.org/fhir/R4B/diff.html).
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from exports.export import Export, ExportFilters, Format
from exports.fhir import ITEMS_SYSTEM, QUESTIONNAIRE_URL, SNOMED, definitions, ndjson_chunks
from screening import criteria, questionnaire
from screening.models import FlagKind, FlagStatus
from tests.factories import FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ANHEDONIA = {
    "backache_freq_30d": "once_a_week",
    "da_sad_2wk": "no",
    "an_lost_interest_2wk": "yes",
    "an_duration": "all_day_long",
    "an_frequency": "every_day",
    "an_tired": True,
    "an_appetite_lost": False,
    "an_appetite_increased": False,
    "an_sleep_trouble": True,
    "an_sleep_frequency": "less_often",
    "an_concentration": True,
    "an_worthless": True,
    "an_death_thoughts": True,
}


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def export(client, **params) -> list[dict]:
    query = {
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": "fhir",
        "labels": "codes",
        "dates": "shifted",
        **params,
    }
    response = client.get(reverse("exports:export_download"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    return [json.loads(line) for line in lines]


def of_type(resources: list[dict], kind: str) -> list[dict]:
    return [resource for resource in resources if resource["resourceType"] == kind]


def assert_valid_r4(resources: list[dict]) -> None:
    for resource in resources:
        # raises on any unknown element, wrong type or missing required element
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        # required bindings the models do not check
        if resource["resourceType"] == "Patient":
            assert resource["gender"] in {"male", "female", "other", "unknown"}
        if resource["resourceType"] in {"Observation"}:
            assert resource["status"] == "final"
        if resource["resourceType"] == "Flag":
            assert resource["status"] in {"active", "inactive", "entered-in-error"}
        if resource["resourceType"] == "QuestionnaireResponse":
            assert resource["status"] == "completed"


@pytest.fixture
def visits(reviewer):
    patient = PatientFactory(sex="female", date_of_birth=dt.date(1975, 2, 3))
    first = VisitFactory(
        patient=patient,
        answers=ANHEDONIA,
        visit_at=timezone.now() - dt.timedelta(days=5),
    )
    second = VisitFactory(patient=patient, visit_at=timezone.now() - dt.timedelta(days=1))
    other = VisitFactory()
    open_flag = FlagFactory(visit=first, patient=patient, kind=FlagKind.SAFETY, priority=4)
    FlagFactory(
        visit=first,
        patient=patient,
        kind=FlagKind.ASSESS_BACK_PAIN,
        status=FlagStatus.RESOLVED,
        outcome="not_present",
        resolved_at=timezone.now(),
    )
    return {"patient": patient, "first": first, "second": second, "other": other,
            "open_flag": open_flag}  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [{}, {"deidentified": "on"}, {"deidentified": "on", "dates": "year"}],
    ids=["identified", "deidentified-shifted", "deidentified-year"],
)
def test_every_resource_parses_as_fhir_r4_when_exported(signed_in, visits, params):
    resources = export(signed_in, **params)
    assert_valid_r4(resources)
    assert len(of_type(resources, "QuestionnaireResponse")) == 3
    assert len(of_type(resources, "Observation")) == 6


def test_file_opens_with_the_code_systems_and_questionnaire_when_exported(signed_in, visits):
    resources = export(signed_in)
    opening = definitions()
    assert resources[: len(opening)] == opening
    assert {r["resourceType"] for r in opening} == {"CodeSystem", "Questionnaire"}
    (items,) = [r for r in of_type(resources, "CodeSystem") if r["url"] == ITEMS_SYSTEM]
    codes = {concept["code"] for concept in items["concept"]}
    assert codes == {item.midus for item in questionnaire.ITEMS.values()}
    (form,) = of_type(resources, "Questionnaire")
    link_ids = [item["linkId"] for item in form["item"]]
    assert link_ids == list(questionnaire.ANSWER_KEYS)
    assert form["item"][0]["code"] == [
        {
            "system": ITEMS_SYSTEM,
            "code": "B1SA10B",
            "display": questionnaire.ITEMS["backache_freq_30d"].text,
        }
    ]


def test_patient_appears_once_with_identifiers_when_identified(signed_in, visits):
    resources = export(signed_in)
    patients = of_type(resources, "Patient")
    patient = visits["patient"]
    (mine,) = [p for p in patients if p["id"] == str(patient.pk)]
    assert len(patients) == 2
    assert mine["identifier"][0]["value"] == patient.mrn
    assert mine["name"] == [{"family": patient.family_name, "given": [patient.given_name]}]
    assert mine["gender"] == "female"
    assert mine["birthDate"] == "1975-02-03"


def test_response_holds_only_the_asked_items_coded_by_answer_key_when_exported(signed_in, visits):
    resources = export(signed_in)
    first = visits["first"]
    (response,) = [
        r for r in of_type(resources, "QuestionnaireResponse") if r["id"] == str(first.pk)
    ]
    answers = {item["linkId"]: item["answer"][0] for item in response["item"]}
    assert set(answers) == {
        key for key in questionnaire.ANSWER_KEYS if getattr(first, key) is not None
    }
    assert "da_duration" not in answers  # path A stopped at its stem: not asked, left out
    assert answers["an_lost_interest_2wk"]["valueCoding"]["code"] == "yes"
    assert answers["an_appetite_lost"] == {"valueBoolean": False}
    assert answers["an_death_thoughts"] == {"valueBoolean": True}
    assert response["subject"] == {"reference": f"Patient/{first.patient_id}"}
    assert response["questionnaire"] == QUESTIONNAIRE_URL
    assert response["authored"] == first.visit_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_observations_carry_snomed_codes_and_derive_from_the_response_when_exported(
    signed_in, visits
):
    resources = export(signed_in)
    first = visits["first"]
    observations = {r["id"]: r for r in of_type(resources, "Observation")}
    back_pain = observations[f"{first.pk}-back-pain"]
    depression = observations[f"{first.pk}-major-depression"]
    assert back_pain["code"]["coding"][0] == {"system": SNOMED, "code": "161891005",
                                              "display": "Backache"}  # fmt: skip
    assert back_pain["valueBoolean"] is False  # once a week does not meet the criterion
    assert depression["code"]["coding"][0]["code"] == "370143000"
    assert depression["valueBoolean"] is True
    components = {c["code"]["coding"][0]["code"]: c for c in depression["component"]}
    assert components["depression-path"]["valueCodeableConcept"]["coding"][0]["code"] == "anhedonia"
    assert components["symptom-count"]["valueInteger"] == first.symptom_count == 4
    for observation in (back_pain, depression):
        assert observation["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{first.pk}"}]
        assert criteria.CRITERIA_VERSION in observation["method"]["text"]


def test_only_unresolved_flags_are_exported_once_per_patient_when_exported(signed_in, visits):
    resources = export(signed_in)
    flags = of_type(resources, "Flag")
    assert [flag["id"] for flag in flags] == [str(visits["open_flag"].pk)]
    assert flags[0]["code"]["coding"][0]["code"] == "safety"
    assert flags[0]["subject"] == {"reference": f"Patient/{visits['patient'].pk}"}


def test_deidentified_resources_refer_to_the_pseudonym_when_deidentified(signed_in, visits):
    from exports import deidentify

    resources = export(signed_in, deidentified="on")
    pseudonym = deidentify.pseudonym("patient", visits["patient"].pk)
    subject = {"identifier": {"system": "https://spine-mood-screen.example/fhir/sid/patient-pseudonym",
                              "value": pseudonym}}  # fmt: skip
    mine = [r for r in resources if r.get("subject") == subject]
    assert sorted(r["resourceType"] for r in mine) == sorted(
        ["Flag"] + ["QuestionnaireResponse"] * 2 + ["Observation"] * 4
    )
    first_response = deidentify.pseudonym("visit", visits["first"].pk)
    shifted = timezone.localdate(visits["first"].visit_at) + dt.timedelta(
        days=deidentify.shift_days(visits["patient"].pk)
    )
    (response,) = [r for r in mine if r["id"] == first_response]
    assert response["authored"] == shifted.isoformat()
    assert "author" not in response


def test_query_count_stays_the_same_when_more_visits_are_exported(signed_in, visits):
    export(signed_in)  # the first request of a session also loads the user's permissions
    with CaptureQueriesContext(connection) as few:
        export(signed_in)
    for _ in range(5):
        VisitFactory(answers=ANHEDONIA)
    with CaptureQueriesContext(connection) as many:
        resources = export(signed_in)
    assert len(of_type(resources, "QuestionnaireResponse")) == 8
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_database_stays_usable_when_a_fhir_download_is_abandoned_midway(signed_in):
    VisitFactory.create_batch(150, patient=PatientFactory(), answers=ANHEDONIA)
    pieces = ndjson_chunks(Export(Format.FHIR, ExportFilters(TODAY, TODAY)).as_of_now())
    assert len(next(pieces)) >= 256 * 1024  # the server-side cursor has more rows
    pieces.close()
    assert len(of_type(export(signed_in), "QuestionnaireResponse")) == 150
