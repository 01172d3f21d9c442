"""FHIR R4 NDJSON of recorded instruments: every resource parses with fhir.resources' R4 models
(its R4B package, the R4 line; see test_exports_fhir.py), the PHQ-9 carries LOINC codes for its
panel, items, answers and total, and the ASQ and LBP+PEG our own codes."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from exports import deidentify
from exports.fhir import (
    INSTRUMENT_ITEMS_SYSTEM,
    LOINC,
    PSEUDONYM_SYSTEM,
    instrument_definitions,
    instrument_questionnaire_url,
)
from screening.instruments import phq9
from tests.factories import INSTRUMENT_ANSWERS, PatientFactory, RecordedInstrumentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PHQ9_ITEM_LOINC = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def recorded():
    patient = PatientFactory(mrn="MRN-FHIR", family_name="Ostrander", sex="female")
    phq = RecordedInstrumentFactory(
        patient=patient,
        instrument="phq9",
        answers=INSTRUMENT_ANSWERS["phq9_12"],
        administered_at=timezone.now() - dt.timedelta(days=2),
    )
    ask = RecordedInstrumentFactory(
        patient=patient, instrument="asq", answers=INSTRUMENT_ANSWERS["asq_acute"]
    )
    peg = RecordedInstrumentFactory(instrument="lbp_peg", answers=INSTRUMENT_ANSWERS["lbp_chronic"])
    return {"phq9": phq, "asq": ask, "lbp_peg": peg, "patient": patient}


def export(client, **params) -> list[dict]:
    query = {
        "dataset": "instruments",
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
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in body.splitlines()]


def of_type(resources: list[dict], kind: str) -> list[dict]:
    return [resource for resource in resources if resource["resourceType"] == kind]


def by_id(resources: list[dict]) -> dict[str, dict]:
    return {resource["id"]: resource for resource in resources}


def assert_valid_r4(resources: list[dict]) -> None:
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@pytest.mark.parametrize(
    "params",
    [{}, {"deidentified": "on"}, {"deidentified": "on", "dates": "year"}],
    ids=["identified", "deidentified-shifted", "deidentified-year"],
)
def test_every_resource_parses_as_fhir_r4_when_instruments_are_exported(
    signed_in, recorded, params
):
    resources = export(signed_in, **params)

    assert_valid_r4(resources)
    assert len(of_type(resources, "QuestionnaireResponse")) == 3
    # PHQ-9 panel and total, ASQ result, LBP chronicity and PEG score
    assert len(of_type(resources, "Observation")) == 5
    assert len(of_type(resources, "Patient")) == (0 if params else 2)


def test_definitions_parse_and_hold_a_questionnaire_per_instrument_when_built():
    definitions = instrument_definitions()

    assert_valid_r4(definitions)
    questionnaires = by_id(of_type(definitions, "Questionnaire"))
    assert set(questionnaires) == {"asq", "phq9", "lbp-peg"}
    phq = questionnaires["phq9"]
    assert phq["code"][0] == {
        "system": LOINC,
        "code": "44249-1",
        "display": "PHQ-9 quick depression assessment panel [Reported.PHQ]",
    }
    codes = [item["code"][0]["code"] for item in phq["item"]]
    assert codes == [*PHQ9_ITEM_LOINC, "69722-7"]
    assert {item["code"][0]["system"] for item in phq["item"]} == {LOINC}
    first = phq["item"][0]["answerOption"]
    assert [option["valueCoding"]["code"] for option in first] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]
    asq = questionnaires["asq"]
    assert {item["code"][0]["system"] for item in asq["item"]} == {INSTRUMENT_ITEMS_SYSTEM}
    asq_5 = asq["item"][4]
    assert asq_5["enableBehavior"] == "any"
    assert {when["question"] for when in asq_5["enableWhen"]} == {
        "asq_1",
        "asq_2",
        "asq_3",
        "asq_4",
    }
    difficulty = phq["item"][9]
    assert len(difficulty["enableWhen"]) == 27  # any item at 1, 2 or 3


def test_phq9_total_and_panel_carry_loinc_codes_when_exported(signed_in, recorded):
    resources = by_id(export(signed_in))
    ref = f"instrument-{recorded['phq9'].pk}"

    total = resources[f"{ref}-total"]
    assert total["code"]["coding"][0]["system"] == LOINC
    assert total["code"]["coding"][0]["code"] == phq9.TOTAL_LOINC == "44261-6"
    assert total["valueInteger"] == 12
    assert total["interpretation"][0]["coding"][0]["code"] == "moderate"
    assert total["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{ref}"}]
    panel = resources[f"{ref}-panel"]
    assert panel["code"]["coding"][0]["code"] == "44249-1"
    assert panel["hasMember"] == [{"reference": f"Observation/{ref}-total"}]
    items = [component["code"]["coding"][0]["code"] for component in panel["component"]]
    assert items == [*PHQ9_ITEM_LOINC, "69722-7"]
    answers = [c["valueCodeableConcept"]["coding"][0]["code"] for c in panel["component"]]
    assert answers[:3] == ["LA6570-1", "LA6570-1", "LA6569-3"]  # 2, 2, 1
    assert answers[-1] == "LA6575-0"  # very difficult


def test_phq9_response_answers_with_loinc_answer_codes_when_exported(signed_in, recorded):
    resources = by_id(export(signed_in))
    response = resources[f"instrument-{recorded['phq9'].pk}"]

    assert response["questionnaire"] == instrument_questionnaire_url("phq9")
    assert response["subject"] == {"reference": f"Patient/{recorded['patient'].pk}"}
    first = response["item"][0]
    assert first["linkId"] == "phq9_1"
    assert first["answer"] == [
        {"valueCoding": {"system": LOINC, "code": "LA6570-1", "display": "More than half the days"}}
    ]


def test_asq_and_peg_use_our_codes_and_leave_out_unasked_items_when_exported(signed_in):
    ask = RecordedInstrumentFactory(instrument="asq", answers=INSTRUMENT_ANSWERS["asq_negative"])
    peg = RecordedInstrumentFactory(instrument="lbp_peg", answers=INSTRUMENT_ANSWERS["lbp_chronic"])

    resources = by_id(export(signed_in))

    response = resources[f"instrument-{ask.pk}"]
    assert [item["linkId"] for item in response["item"]] == ["asq_1", "asq_2", "asq_3", "asq_4"]
    result = resources[f"instrument-{ask.pk}-result"]
    assert result["valueCodeableConcept"]["coding"][0]["code"] == "negative"
    assert LOINC not in json.dumps(result)
    score = resources[f"instrument-{peg.pk}-peg"]
    assert score["valueQuantity"]["value"] == 5.3
    assert [c["valueInteger"] for c in score["component"]] == [6, 5, 5]
    assert resources[f"instrument-{peg.pk}-chronic"]["valueBoolean"] is True
    peg_response = resources[f"instrument-{peg.pk}"]
    assert peg_response["item"][2]["answer"] == [{"valueInteger": 6}]


def test_deidentified_resources_hold_no_identifier_when_deidentified(signed_in, recorded):
    resources = export(signed_in, deidentified="on")
    text = json.dumps(resources)

    for secret in ("MRN-FHIR", "Ostrander", f'instrument-{recorded["phq9"].pk}"'):
        assert secret not in text
    pseudonym = deidentify.pseudonym(deidentify.PATIENT, recorded["patient"].pk)
    responses = of_type(resources, "QuestionnaireResponse")
    subjects = {json.dumps(response["subject"]) for response in responses}
    assert json.dumps({"identifier": {"system": PSEUDONYM_SYSTEM, "value": pseudonym}}) in subjects
    assert all("author" not in response for response in responses)


@pytest.mark.parametrize("export_format", ["fhir", "csv", "xlsx"])
def test_query_count_stays_the_same_when_more_instruments_are_exported(
    signed_in, recorded, export_format
):
    export_rows(signed_in, export_format)  # the first request also loads the permissions
    with CaptureQueriesContext(connection) as few:
        export_rows(signed_in, export_format)
    for answers in ("phq9_0", "phq9_12", "phq9_0"):
        RecordedInstrumentFactory(instrument="phq9", answers=INSTRUMENT_ANSWERS[answers])
    RecordedInstrumentFactory(instrument="asq", answers=INSTRUMENT_ANSWERS["asq_acute"])
    with CaptureQueriesContext(connection) as many:
        export_rows(signed_in, export_format)
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def export_rows(client, export_format: str) -> None:
    query = {
        "dataset": "instruments",
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": export_format,
        "labels": "codes",
        "dates": "shifted",
    }
    response = client.get(reverse("exports:export_download"), query)
    assert response.status_code == 200
    assert int(response["X-Export-Rows"]) >= 3
    b"".join(response.streaming_content)
