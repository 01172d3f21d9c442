"""CDS Hooks patient-view: discovery, and the cards a patient's unresolved flags and re-screen
bring, in the shape of the CDS Hooks 2.0 specification's examples."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from audit.models import Audit, AuditAction
from exports.fhir import MRN_SYSTEM
from screening.flags import SAFETY_REASON
from screening.models import FlagKind, FlagOutcome, FlagPriority, FlagStatus
from screening.study import DOI_URL
from tests.factories import ANSWERS, FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

# The CDS Hooks 2.0 specification's examples (https://cds-hooks.hl7.org/2.0/, "Discovery
# Example" and "CDS Service Response" > "Example"): the reference shapes for ours.
SPEC_DISCOVERY = json.loads(
    """
{
  "services": [
    {
      "hook": "patient-view",
      "title": "Static CDS Service Example",
      "description": "An example of a CDS Service that returns a static set of cards",
      "id": "static-patient-greeter",
      "prefetch": {
        "patientToGreet": "Patient/{{context.patientId}}"
      }
    }
  ]
}
"""
)
SPEC_RESPONSE = json.loads(
    """
{
  "cards": [
    {
      "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
      "summary": "Example Card",
      "indicator": "info",
      "detail": "This is an example card.",
      "source": {
        "label": "Static CDS Service Example",
        "url": "https://example.com",
        "icon": "https://example.com/img/icon-100px.png"
      },
      "links": [
        {
          "label": "Google",
          "url": "https://google.com",
          "type": "absolute"
        },
        {
          "label": "Github",
          "url": "https://github.com",
          "type": "absolute"
        }
      ]
    },
    {
      "summary": "Another card",
      "indicator": "warning",
      "source": {
        "label": "Static CDS Service Example"
      }
    }
  ]
}
"""
)
INDICATORS = ("info", "warning", "critical")  # CDS Hooks 2.0 Card.indicator
SERVICE = "/cds-services/spine-mood-screen"


FREE_KEYS = ("prefetch",)  # maps whose keys the service names (prefetch templates)


def assert_shaped_like(ours, reference, path="$"):
    """Every key of ours appears in the reference with a value of the same JSON type, lists
    item by item against the reference's first item, free maps value by value."""
    assert type(ours) is type(reference), f"{path}: {type(ours).__name__}"
    if isinstance(ours, dict) and path.rsplit(".", 1)[-1] in FREE_KEYS:
        for key, value in ours.items():
            assert_shaped_like(value, next(iter(reference.values())), f"{path}.{key}")
    elif isinstance(ours, dict):
        for key, value in ours.items():
            assert key in reference, f"{path}.{key} is not in the specification's example"
            assert_shaped_like(value, reference[key], f"{path}.{key}")
    elif isinstance(ours, list):
        for index, item in enumerate(ours):
            assert_shaped_like(item, reference[0], f"{path}[{index}]")


def assert_a_valid_card(card):
    assert_shaped_like(card, SPEC_RESPONSE["cards"][0], "card")
    assert isinstance(card["summary"], str)
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in INDICATORS
    assert card["source"]["label"]
    uuid.UUID(card["uuid"])
    for link in card["links"]:
        assert link["type"] == "absolute"
        assert link["url"].startswith("http://testserver/")


def hook_request(mrn=None, **extra):
    patient = {"resourceType": "Patient", "id": "ehr-1288992", "gender": "female"}
    if mrn is not None:
        patient["identifier"] = [{"system": MRN_SYSTEM, "value": mrn}]
    return {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "hook": "patient-view",
        "context": {"userId": "Practitioner/example", "patientId": "ehr-1288992"},
        "prefetch": {"patient": patient},
        **extra,
    }


@pytest.fixture
def api(client, read_token):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {read_token}"
    return client


def call(client, body):
    return client.post(SERVICE, json.dumps(body), content_type="application/json")


def test_discovery_lists_the_patient_view_service_in_the_specifications_shape(api):
    reply = api.get("/cds-services")

    assert reply.status_code == 200
    body = reply.json()
    assert_shaped_like(body, SPEC_DISCOVERY)
    (service,) = body["services"]
    assert (service["id"], service["hook"]) == ("spine-mood-screen", "patient-view")
    assert service["title"]
    assert service["description"]
    assert service["prefetch"] == {"patient": "Patient/{{context.patientId}}"}


def test_an_unknown_patient_gets_no_cards_and_no_error(api):
    PatientFactory(mrn="MRN-KNOWN")

    reply = call(api, hook_request("MRN-NOBODY"))

    assert reply.status_code == 200
    assert reply.json() == {"cards": []}


def test_the_mrn_may_come_in_context_or_a_wrapped_prefetch(api):
    FlagFactory(visit__patient__mrn="MRN-CTX")
    mrn = {"system": MRN_SYSTEM, "value": "MRN-CTX"}
    in_context = {**hook_request(None), "prefetch": {}}
    in_context["context"] = {**in_context["context"], "patientIdentifier": mrn}
    wrapped = hook_request(None)
    patient = {**wrapped["prefetch"]["patient"], "identifier": [mrn]}
    wrapped["prefetch"] = {"patient": {"response": {"status": "200 OK"}, "resource": patient}}

    answers = [call(api, body).json()["cards"] for body in (in_context, wrapped)]

    assert [[card["indicator"] for card in cards] for cards in answers] == [["warning"]] * 2


def test_the_ehrs_own_patient_id_never_matches_an_mrn(api):
    FlagFactory(visit__patient__mrn="ehr-1288992")

    assert call(api, hook_request(None)).json() == {"cards": []}


def test_a_request_without_an_mrn_gets_no_cards(api):
    reply = call(api, hook_request(None))

    assert (reply.status_code, reply.json()) == (200, {"cards": []})


def test_a_patient_without_flags_gets_no_cards(api):
    PatientFactory(mrn="MRN-CALM")

    assert call(api, hook_request("MRN-CALM")).json() == {"cards": []}


def test_an_unresolved_safety_flag_is_a_critical_card_linking_to_the_case(api, reviewer):
    flag = FlagFactory(
        visit__patient__mrn="MRN-SAFE",
        kind=FlagKind.SAFETY,
        priority=FlagPriority.URGENT,
        reason=SAFETY_REASON,
        status=FlagStatus.IN_REVIEW,
        assignee=reviewer,
    )

    reply = call(api, hook_request("MRN-SAFE"))

    (card,) = reply.json()["cards"]
    assert_a_valid_card(card)
    assert card["indicator"] == "critical"
    assert "thoughts of death" in card["summary"].lower()
    assert "988" in card["detail"]
    assert "in review, claimed by a reviewer" in card["detail"]
    assert [link["url"] for link in card["links"]] == [
        f"http://testserver/review/{flag.pk}/",
        f"http://testserver/patients/{flag.patient_id}/",
    ]


@pytest.mark.parametrize(
    ("kind", "summary", "figure"),
    [
        (FlagKind.ASSESS_DEPRESSION, "Assess for depression", "PR 1.96"),
        (FlagKind.ASSESS_BACK_PAIN, "Assess for back pain", "PR 1.48"),
    ],
)
def test_an_open_assess_flag_is_a_warning_citing_the_study(api, kind, summary, figure):
    flag = FlagFactory(
        visit__patient__mrn="MRN-ASSESS", kind=kind, reason="the finding; the study figure"
    )

    (card,) = call(api, hook_request("MRN-ASSESS")).json()["cards"]

    assert_a_valid_card(card)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith(summary)
    assert figure in card["summary"]
    assert "The finding; the study figure." in card["detail"]
    assert "doi:10.3390/ijerph20054217" in card["detail"].lower()
    assert card["source"]["url"] == DOI_URL
    assert card["links"][0]["url"] == f"http://testserver/review/{flag.pk}/"


def test_a_resolved_flag_brings_no_card(api):
    FlagFactory(
        visit__patient__mrn="MRN-DONE",
        status=FlagStatus.RESOLVED,
        outcome=FlagOutcome.NOT_PRESENT,
        resolution_note="Assessed.",
        resolved_at=timezone.now(),
    )

    assert call(api, hook_request("MRN-DONE")).json() == {"cards": []}


def test_cards_come_most_urgent_first_when_a_patient_has_every_kind(api):
    patient = PatientFactory(mrn="MRN-ALL")
    # the latest visit met the back-pain criterion only, 13 months ago: due for re-screen
    VisitFactory(
        patient=patient,
        answers=ANSWERS["back_pain"],
        visit_at=timezone.now() - dt.timedelta(days=400),
    )
    for kind in (FlagKind.ASSESS_BACK_PAIN, FlagKind.SAFETY, FlagKind.ASSESS_DEPRESSION):
        FlagFactory(
            visit__patient=patient,
            patient=patient,
            kind=kind,
            visit__visit_at=timezone.now() - dt.timedelta(days=500),
        )

    cards = call(api, hook_request("MRN-ALL")).json()["cards"]

    assert [card["indicator"] for card in cards] == ["critical", "warning", "warning", "info"]
    for card in cards:
        assert_a_valid_card(card)
    assert cards[-1]["summary"].startswith("Due for re-screen")
    assert cards[-1]["links"] == [
        {
            "label": "Open the patient in Spine & Mood Screen",
            "url": f"http://testserver/patients/{patient.pk}/",
            "type": "absolute",
        }
    ]


def test_the_call_is_audited_with_the_patient_and_the_cards(api):
    flag = FlagFactory(visit__patient__mrn="MRN-AUD")

    call(api, hook_request("MRN-AUD"))

    audit = Audit.objects.filter(action=AuditAction.API_CALL, patient=flag.patient).get()
    assert audit.detail["cards"] == ["warning"]
    assert "MRN-AUD" not in json.dumps(audit.detail)


def test_a_call_without_a_token_is_refused(client):
    reply = client.post(SERVICE, json.dumps(hook_request("MRN-X")), content_type="application/json")

    assert reply.status_code == 401


def test_an_unknown_service_is_not_found(api):
    reply = api.post(
        "/cds-services/other",
        json.dumps(hook_request("MRN-X")),
        content_type="application/json",
    )

    assert reply.status_code == 404
