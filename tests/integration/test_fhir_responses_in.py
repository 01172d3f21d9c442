"""Screens in over FHIR: `POST /fhir/QuestionnaireResponse` and a transaction Bundle at `POST
/fhir`, checked against the Questionnaire, classified and recorded like a form's submit."""

import json

import pytest
from django.core import mail
from django.test import override_settings
from fhir.resources.R4B import get_fhir_model_class

from audit.models import Audit, AuditAction
from interop.models import ApiClient
from patients.models import Patient
from screening import criteria
from screening.models import Flag, FlagKind, FlagPriority, Visit
from tests.factories import ANSWERS, PatientFactory
from tests.fhir_requests import FHIR_JSON, response, transaction

pytestmark = pytest.mark.django_db

BACKACHE, MAJOR_DEPRESSION = "161891005", "370143000"

# Hand-worked answer sets (CRITERIA.md sections 1-3), each complete for the skip logic, with the
# classification worked out by hand: back pain, major depression, path, symptoms counted.
HAND_WORKED = [
    pytest.param(ANSWERS["negative"], (False, False, "none", 0), id="negative"),
    pytest.param(ANSWERS["back_pain"], (True, False, "none", 0), id="back-pain-only"),
    # lost interest, tired, appetite (increased), sleep every night: 4 of 7 on path A
    pytest.param(ANSWERS["depressed_affect"], (False, True, "depressed_affect", 4), id="path-a"),
    pytest.param(ANSWERS["comorbid"], (True, True, "depressed_affect", 4), id="comorbid"),
    # tired, appetite lost, concentration, worthless: 4 of 6 on path B; once a week is not back pain
    pytest.param(ANSWERS["anhedonia"], (False, True, "anhedonia", 4), id="path-b"),
    pytest.param(
        {
            "backache_freq_30d": "refused",
            "da_sad_2wk": "yes",
            "da_duration": "about_half_the_day",
            "an_lost_interest_2wk": "yes",
            "an_duration": "all_day_long",
            "an_frequency": "every_day",
            "an_tired": True,
            "an_appetite_lost": False,
            "an_appetite_increased": False,
            "an_sleep_trouble": True,
            "an_sleep_frequency": "less_often",  # does not count: not (nearly) every night
            "an_concentration": True,
            "an_worthless": True,
            "an_death_thoughts": False,
        },
        (False, False, "anhedonia", 3),
        id="a2-fails-b-three-short-sleep",
    ),
    pytest.param(
        {
            "backache_freq_30d": "several_times_a_week",
            "da_sad_2wk": "on_antidepressants",
            "an_lost_interest_2wk": "dont_know",
        },
        (True, False, "none", 0),
        id="antidepressants-volunteered-b1-dont-know",
    ),
]


@pytest.fixture
def api(client, read_token, write_token):
    return client, {"read": read_token, "write": write_token}


def _post(api, body, scope="write", path="/fhir/QuestionnaireResponse"):
    client, tokens = api
    return client.post(
        path,
        json.dumps(body),
        content_type=FHIR_JSON,
        HTTP_AUTHORIZATION=f"Bearer {tokens[scope]}",
    )


def _observations(bundle):
    found = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Observation":
            (coding,) = resource["code"]["coding"]
            found[coding["code"]] = resource
    return found


def _validate(resource):
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _issues(reply):
    outcome = reply.json()
    assert outcome["resourceType"] == "OperationOutcome"
    _validate(outcome)
    return [
        (issue["code"], issue.get("expression", [""])[0], issue["diagnostics"])
        for issue in outcome["issue"]
    ]


@pytest.mark.parametrize(("answers", "expected"), HAND_WORKED)
def test_observations_carry_the_hand_worked_classification_when_posted(api, answers, expected):
    assert set(answers) == criteria.asked_items(answers)  # the set is complete, as a form's

    reply = _post(api, response(answers, mrn="MRN-API-1"))

    assert reply.status_code == 201
    bundle = reply.json()
    _validate(bundle)
    visit = Visit.objects.get(patient__mrn="MRN-API-1")
    assert reply["Location"] == f"/fhir/QuestionnaireResponse/{visit.pk}"
    assert bundle["entry"][0]["resource"]["resourceType"] == "QuestionnaireResponse"
    assert bundle["entry"][0]["resource"]["id"] == str(visit.pk)
    observations = _observations(bundle)
    back_pain, depression = observations[BACKACHE], observations[MAJOR_DEPRESSION]
    path = depression["component"][0]["valueCodeableConcept"]["coding"][0]["code"]
    count = depression["component"][1]["valueInteger"]
    assert (back_pain["valueBoolean"], depression["valueBoolean"], path, count) == expected
    assert (visit.back_pain, visit.major_depression, visit.path, visit.symptom_count) == expected
    for observation in observations.values():
        assert observation["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{visit.pk}"}]
    client, tokens = api
    read = client.get(reply["Location"], HTTP_AUTHORIZATION=f"Bearer {tokens['read']}")
    assert read.json() == bundle["entry"][0]["resource"]


def test_a_new_patient_is_registered_with_the_contained_demographics_when_posted(api):
    reply = _post(api, response(ANSWERS["negative"], mrn="MRN-NEW-7"))

    assert reply.status_code == 201
    patient = Patient.objects.get(mrn="MRN-NEW-7")
    assert (patient.given_name, patient.family_name, str(patient.date_of_birth), patient.sex) == (
        "Ana",
        "Rivera",
        "1970-04-12",
        "female",
    )
    assert Audit.objects.filter(action=AuditAction.PATIENT_CREATE, patient=patient).count() == 1


def test_an_existing_patient_is_found_by_mrn_identifier_when_posted(api):
    patient = PatientFactory(mrn="MRN-OLD-1")

    reply = _post(api, response(ANSWERS["back_pain"], mrn="MRN-OLD-1", register=False))

    assert reply.status_code == 201
    assert Visit.objects.get().patient == patient
    assert Patient.objects.count() == 1
    flag = Flag.objects.get(patient=patient)
    assert flag.kind == FlagKind.ASSESS_DEPRESSION
    assert Audit.objects.filter(action=AuditAction.VISIT_RECORD, patient=patient).count() == 1


@override_settings(FHIR_REQUIRE_EXISTING_PATIENTS=True)
def test_an_unknown_mrn_is_refused_when_the_server_requires_registered_patients(api):
    reply = _post(api, response(ANSWERS["negative"], mrn="MRN-NEW-8"))

    assert reply.status_code == 422
    ((code, _, diagnostics),) = _issues(reply)
    assert code == "not-found"
    assert "registered" in diagnostics
    assert Patient.objects.count() == 0
    assert Visit.objects.count() == 0


def test_an_unknown_patient_without_demographics_is_refused_naming_the_subject(api):
    reply = _post(api, response(ANSWERS["negative"], mrn="MRN-NONE", register=False))

    assert reply.status_code == 422
    ((code, expression, _),) = _issues(reply)
    assert (code, expression) == ("required", "QuestionnaireResponse.subject")
    assert Patient.objects.count() == 0


def test_the_safety_email_goes_to_reviewers_when_death_thoughts_arrive_over_the_api(
    api, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = _post(api, response(ANSWERS["safety"], mrn="MRN-SAFE"))

    assert reply.status_code == 201
    flag = Flag.objects.get(patient__mrn="MRN-SAFE", kind=FlagKind.SAFETY)
    assert flag.priority == FlagPriority.URGENT
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert "MRN-SAFE" not in mail.outbox[0].body


def test_a_repeated_identifier_returns_the_same_resources_and_writes_nothing(api):
    body = response(ANSWERS["comorbid"], mrn="MRN-TWICE", identifier="screen-42")
    first = _post(api, body)
    counts = (Visit.objects.count(), Flag.objects.count(), Patient.objects.count())
    recorded = Audit.objects.filter(action=AuditAction.VISIT_RECORD).count()

    again = _post(api, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert (
        (Visit.objects.count(), Flag.objects.count(), Patient.objects.count())
        == counts
        == (
            1,
            2,
            1,
        )
    )
    assert Audit.objects.filter(action=AuditAction.VISIT_RECORD).count() == recorded


def test_the_identifier_of_another_patients_screen_is_refused(api):
    _post(api, response(ANSWERS["negative"], mrn="MRN-A", identifier="same"))

    reply = _post(api, response(ANSWERS["negative"], mrn="MRN-B", identifier="same"))

    assert reply.status_code == 422
    ((code, expression, _),) = _issues(reply)
    assert (code, expression) == ("duplicate", "QuestionnaireResponse.identifier")
    assert not Patient.objects.filter(mrn="MRN-B").exists()
    assert Visit.objects.count() == 1


def _with_item(body, key, answer):
    body["item"].append({"linkId": key, "answer": [answer]})
    return body


BAD = [
    pytest.param(
        lambda body: _with_item(body, "felt_great", {"valueBoolean": True}),
        "felt_great",
        "structure",
        id="unknown-linkId",
    ),
    pytest.param(
        lambda body: {
            **body,
            "item": [
                {**item, "answer": [{"valueString": "no"}]}
                if item["linkId"] == "da_sad_2wk"
                else item
                for item in body["item"]
            ],
        },
        "da_sad_2wk",
        "value",
        id="wrong-answer-type",
    ),
    pytest.param(
        lambda body: {
            **body,
            "item": [
                {**item, "answer": [{"valueCoding": {"system": "urn:other", "code": "no"}}]}
                if item["linkId"] == "da_sad_2wk"
                else item
                for item in body["item"]
            ],
        },
        "da_sad_2wk",
        "code-invalid",
        id="code-of-another-system",
    ),
    pytest.param(
        lambda body: _with_item(body, "an_duration", {"valueCoding": {}}),
        "an_duration",
        "code-invalid",
        id="empty-coding",
    ),
    pytest.param(
        lambda body: _with_item(body, "da_tired", {"valueBoolean": True}),
        "da_tired",
        "business-rule",
        id="answer-to-an-item-not-asked",
    ),
    pytest.param(
        lambda body: {
            **body,
            "item": [i for i in body["item"] if i["linkId"] != "an_lost_interest_2wk"],
        },
        "an_lost_interest_2wk",
        "required",
        id="missing-required-answer",
    ),
]


@pytest.mark.parametrize(("spoil", "key", "code"), BAD)
def test_a_bad_response_gets_422_naming_the_linkid_and_writes_nothing(api, spoil, key, code):
    body = spoil(response(ANSWERS["negative"], mrn="MRN-BAD"))

    reply = _post(api, body)

    assert reply.status_code == 422
    issues = _issues(reply)
    assert (code, f"QuestionnaireResponse.item.where(linkId='{key}')") in [
        (issue_code, expression.split(".answer")[0]) for issue_code, expression, _ in issues
    ]
    assert any(key in diagnostics for _, _, diagnostics in issues)
    assert (Patient.objects.count(), Visit.objects.count()) == (0, 0)


def test_a_body_that_is_not_json_gets_400(api):
    client, tokens = api

    replies = [
        client.post(
            path,
            "{not json",
            content_type=FHIR_JSON,
            HTTP_AUTHORIZATION=f"Bearer {tokens['write']}",
        )
        for path in ("/fhir/QuestionnaireResponse", "/fhir")
    ]

    assert [r.status_code for r in replies] == [400, 400]
    assert replies[0].json()["issue"][0]["code"] == "invalid"


def test_a_read_token_may_not_post_a_response(api):
    reply = _post(api, response(ANSWERS["negative"], mrn="MRN-RO"), scope="read")

    assert reply.status_code == 403
    assert reply.json()["resourceType"] == "OperationOutcome"
    assert Visit.objects.count() == 0


def test_a_transaction_bundle_posted_to_the_base_with_a_slash_is_recorded_too(api):
    bundle = transaction(response(ANSWERS["negative"], mrn="MRN-SLASH"))

    reply = _post(api, bundle, path="/fhir/")

    assert reply.status_code == 200
    assert Visit.objects.get().patient.mrn == "MRN-SLASH"


def test_a_bundle_of_another_kind_or_entry_is_refused(api):
    batch = {**transaction(response(ANSWERS["negative"], mrn="MRN-B1")), "type": "batch"}
    wrong_entry = transaction(response(ANSWERS["negative"], mrn="MRN-B2"))
    wrong_entry["entry"][0]["request"] = {"method": "PUT", "url": "Patient/1"}

    refused = [_post(api, body, path="/fhir") for body in (batch, wrong_entry)]

    assert [r.status_code for r in refused] == [422, 422]
    assert [_issues(r)[0][1] for r in refused] == ["Bundle.type", "Bundle.entry[0].request"]
    assert Visit.objects.count() == 0


def test_a_transaction_bundle_records_every_response_when_all_are_good(api):
    bundle = transaction(
        response(ANSWERS["back_pain"], mrn="MRN-T1", identifier="t-1"),
        response(ANSWERS["anhedonia"], mrn="MRN-T2", identifier="t-2"),
        response(ANSWERS["negative"], mrn="MRN-T1", identifier="t-3", register=False),
    )

    reply = _post(api, bundle, path="/fhir")

    assert reply.status_code == 200
    answer = reply.json()
    _validate(answer)
    assert answer["type"] == "transaction-response"
    visits = list(Visit.objects.order_by("id"))
    assert [v.patient.mrn for v in visits] == ["MRN-T1", "MRN-T2", "MRN-T1"]
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 3
    assert [e["response"]["location"] for e in answer["entry"]] == [
        f"QuestionnaireResponse/{v.pk}" for v in visits
    ]
    depression = _observations(answer["entry"][1]["resource"])[MAJOR_DEPRESSION]
    assert depression["valueBoolean"] is True
    call = Audit.objects.filter(action=AuditAction.API_CALL).get()
    assert (call.detail["interaction"], call.detail["visits"]) == (
        "transaction",
        [v.pk for v in visits],
    )
    assert call.patient is None  # two patients: the visit_record rows name each


def test_a_bundle_with_one_bad_response_writes_nothing_and_names_its_entry(api):
    bad = response(ANSWERS["negative"], mrn="MRN-T5")
    bad["item"] = [i for i in bad["item"] if i["linkId"] != "da_sad_2wk"]
    bundle = transaction(
        response(ANSWERS["safety"], mrn="MRN-T4", identifier="t-4"),
        bad,
    )

    reply = _post(api, bundle, path="/fhir")

    assert reply.status_code == 422
    expressions = [expression for _, expression, _ in _issues(reply)]
    assert "Bundle.entry[1].resource.item.where(linkId='da_sad_2wk')" in expressions
    assert (Patient.objects.count(), Visit.objects.count(), Flag.objects.count()) == (0, 0, 0)
    assert mail.outbox == []


def test_a_bundle_whose_second_patient_cannot_be_registered_writes_nothing(api):
    second = response(ANSWERS["negative"], mrn="MRN-T7")
    second["contained"][0]["birthDate"] = "1850-01-01"  # before the earliest date of birth
    bundle = transaction(response(ANSWERS["back_pain"], mrn="MRN-T6"), second)

    reply = _post(api, bundle, path="/fhir")

    assert reply.status_code == 422
    expressions = [expression for _, expression, _ in _issues(reply)]
    assert "Bundle.entry[1].resource.contained[0].birthDate" in expressions
    assert (Patient.objects.count(), Visit.objects.count()) == (0, 0)


def test_the_visit_is_recorded_by_the_clients_service_user_who_cannot_sign_in(api):
    _post(api, response(ANSWERS["back_pain"], mrn="MRN-WHO"))
    _post(api, response(ANSWERS["negative"], mrn="MRN-WHO", register=False))

    client = ApiClient.objects.get(name="ehr-write")
    first, second = Visit.objects.order_by("id")
    assert first.clinician == second.clinician
    user = first.clinician
    assert (user.username, user.last_name) == (f"api-client-{client.pk}", "ehr-write")
    assert not user.is_active
    assert not user.has_usable_password()
    recorded = Audit.objects.filter(action=AuditAction.VISIT_RECORD)
    assert {row.actor for row in recorded} == {user}
    call = Audit.objects.filter(action=AuditAction.API_CALL).order_by("id").last()
    assert (call.patient.mrn, call.detail["client"], call.detail["status"]) == (
        "MRN-WHO",
        "ehr-write",
        201,
    )


def test_a_persons_account_under_the_service_users_name_is_never_used(api, clinician):
    client = ApiClient.objects.get(name="ehr-write")
    clinician.username = f"api-client-{client.pk}"
    clinician.save()

    reply = _post(api, response(ANSWERS["negative"], mrn="MRN-SQUAT"))

    assert reply.status_code == 422
    assert "person's account" in reply.json()["issue"][0]["diagnostics"]
    assert Visit.objects.count() == 0
