"""FHIR read and search: the export's resources, FHIR paging, 404s and 400s as OperationOutcomes,
every resource valid for fhir.resources' R4 models (its R4B package; see test_exports_fhir)."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from fhir.resources.R4B import get_fhir_model_class

from audit.models import Audit, AuditAction
from exports.fhir import MRN_SYSTEM, SNOMED
from interop import registry
from interop.capability import capability_statement
from interop.models import ApiClient
from screening.models import FlagKind, FlagStatus
from tests.factories import ANSWERS, FlagFactory, PatientFactory, VisitFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, read_token):
    """GET under /fhir/ with the read token; every answer is valid FHIR."""

    def get(url: str, status: int = 200, **headers: str) -> dict:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {read_token}", **headers)
        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
        body = response.json()
        _validate(body)
        return body

    return get


def _validate(resource: dict) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", []):
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _follow(api, url: str) -> tuple[list[dict], list[dict]]:
    """Every entry of a search, page by page along `next`, and the bundles."""
    entries, bundles = [], []
    while url:
        bundle = api(url)
        bundles.append(bundle)
        entries += bundle.get("entry", [])
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        url = _path(links["next"]) if "next" in links else ""
        assert len(bundles) < 50
    return entries, bundles


@pytest.fixture
def patient():
    return PatientFactory(mrn="MRN0042", family_name="Okafor", given_name="Ada", sex="female")


def test_the_patient_reads_as_the_export_builds_it(api, patient):
    body = api(f"/fhir/Patient/{patient.pk}")
    assert body == {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"system": MRN_SYSTEM, "value": "MRN0042"}],
        "name": [{"family": "Okafor", "given": ["Ada"]}],
        "gender": "female",
        "birthDate": patient.date_of_birth.isoformat(),
    }
    row = Audit.objects.get(action=AuditAction.API_CALL)
    assert row.patient == patient
    assert row.detail["resource"] == "Patient"
    assert row.detail["interaction"] == "read"
    assert row.detail["client"] == "ehr-read"
    assert (row.object_type, row.object_id) == ("patients.patient", str(patient.pk))


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Patient/999999",
        "/fhir/Patient/abc",
        "/fhir/Patient/99999999999999999999999999",
        "/fhir/Patient/%C3%A9",
        "/fhir/QuestionnaireResponse/0",
        "/fhir/QuestionnaireResponse/-1",
        "/fhir/Observation/12",
        "/fhir/Observation/12-back-pain",
        "/fhir/Observation/99999999999999999999-back-pain",
        "/fhir/Observation/x-major-depression",
        "/fhir/Flag/1.5",
        "/fhir/Encounter/1",
        "/fhir/Patient/1/_history",
    ],
)
def test_404_operation_outcome_when_the_id_or_path_names_nothing(api, url):
    body = api(url, status=404)
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] in ("not-found", "not-supported")


@pytest.mark.parametrize(
    "query",
    [
        f"identifier={MRN_SYSTEM}|MRN0042",
        "identifier=MRN0042",
        "identifier=|MRN0042",
        "identifier=MRN9,MRN0042",
    ],
)
def test_the_patient_is_found_by_mrn_identifier(api, patient, query):
    PatientFactory(mrn="MRN0043")
    body = api(f"/fhir/Patient?{query}")
    assert body["type"] == "searchset"
    assert body["total"] == 1
    assert [e["resource"]["id"] for e in body["entry"]] == [str(patient.pk)]
    assert body["entry"][0]["fullUrl"].endswith(f"/fhir/Patient/{patient.pk}")
    assert Audit.objects.get(action=AuditAction.API_CALL).patient == patient


def test_no_patient_matches_another_systems_identifier(api, patient):
    body = api("/fhir/Patient?identifier=http://other.example/mrn|MRN0042")
    assert body["total"] == 0
    assert "entry" not in body


def test_400_when_a_search_lacks_its_required_parameter(api):
    for url, name in [
        ("/fhir/Patient", "identifier"),
        ("/fhir/Patient?name=Okafor", "identifier"),
        ("/fhir/QuestionnaireResponse", "patient"),
        ("/fhir/Observation?code=161891005", "patient"),
        ("/fhir/Flag?status=active", "patient"),
    ]:
        body = api(url, status=400)
        assert body["issue"][0]["code"] == "invalid"
        assert body["issue"][0]["expression"] == [name]


@pytest.mark.parametrize("value", ["-1", "abc", "1e3", "99999999999"])
def test_400_when_paging_parameters_are_not_whole_numbers(api, patient, value):
    for name in ("_count", "_offset"):
        body = api(f"/fhir/QuestionnaireResponse?patient={patient.pk}&{name}={value}", status=400)
        assert body["issue"][0]["expression"] == [name]


def test_unknown_parameters_are_ignored_unless_the_client_asks_for_strict(api, patient):
    url = "/fhir/Patient?identifier=MRN0042&family=Okafor&_sort=x"
    lenient = api(url)
    assert lenient["total"] == 1
    assert "family" not in lenient["link"][0]["url"]
    strict = api(url, status=400, HTTP_PREFER="handling=strict")
    assert strict["issue"][0]["code"] == "not-supported"
    assert strict["issue"][0]["expression"] == ["family"]


def test_responses_page_along_next_links_to_the_end(api, patient):
    visits = [VisitFactory(patient=patient, visit_at=days_ago(day)) for day in range(7)]
    VisitFactory()  # someone else's

    entries, bundles = _follow(api, f"/fhir/QuestionnaireResponse?patient={patient.pk}&_count=3")

    assert [e["resource"]["id"] for e in entries] == [str(v.pk) for v in visits]
    assert [len(b.get("entry", [])) for b in bundles] == [3, 3, 1]
    assert {b["total"] for b in bundles} == {7}
    links = {link["relation"]: link["url"] for link in bundles[-1]["link"]}
    assert "next" not in links
    assert _path(links["previous"]).endswith("_count=3&_offset=3")
    assert "previous" not in {link["relation"] for link in bundles[0]["link"]}
    assert Audit.objects.filter(action=AuditAction.API_CALL, patient=patient).count() == 3


def test_the_page_size_defaults_to_20_and_stops_at_100(api, patient):
    for day in range(105):
        VisitFactory(patient=patient, visit_at=days_ago(day))
    url = f"/fhir/QuestionnaireResponse?patient=Patient/{patient.pk}"
    assert len(api(url)["entry"]) == 20
    assert len(api(f"{url}&_count=500")["entry"]) == 100
    only_total = api(f"{url}&_count=0")
    assert (only_total["total"], "entry" in only_total) == (105, False)


def test_a_response_carries_the_answers_as_asked(api, patient):
    visit = VisitFactory(patient=patient, answers=ANSWERS["back_pain"])
    body = api(f"/fhir/QuestionnaireResponse/{visit.pk}")
    assert body["subject"] == {"reference": f"Patient/{patient.pk}"}
    assert body["status"] == "completed"
    answers = {item["linkId"]: item["answer"][0] for item in body["item"]}
    assert answers["backache_freq_30d"]["valueCoding"]["code"] == "almost_every_day"
    assert "da_duration" not in answers  # not asked


def test_an_amended_visit_is_left_out_of_the_search_but_still_reads(api, patient):
    first = VisitFactory(patient=patient, visit_at=days_ago(2))
    correction = VisitFactory(patient=patient, visit_at=days_ago(2), amends=first)
    body = api(f"/fhir/QuestionnaireResponse?patient={patient.pk}")
    assert [e["resource"]["id"] for e in body["entry"]] == [str(correction.pk)]
    assert api(f"/fhir/QuestionnaireResponse/{first.pk}")["id"] == str(first.pk)


def test_an_unknown_patient_reference_matches_nothing(api, patient):
    VisitFactory(patient=patient)
    for value in ("999999", "Patient/abc", "Group/1", f"Practitioner/{patient.pk}"):
        body = api(f"/fhir/QuestionnaireResponse?patient={value}")
        assert body["total"] == 0, value


def test_observations_are_the_two_classifications_derived_from_the_response(api, patient):
    visit = VisitFactory(patient=patient, answers=ANSWERS["back_pain"])
    body = api(f"/fhir/Observation?patient={patient.pk}")
    by_code = {e["resource"]["code"]["coding"][0]["code"]: e["resource"] for e in body["entry"]}
    assert set(by_code) == {"161891005", "370143000"}
    assert by_code["161891005"]["valueBoolean"] is True
    assert by_code["370143000"]["valueBoolean"] is False
    for observation in by_code.values():
        assert observation["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{visit.pk}"}]
    read = api(f"/fhir/Observation/{visit.pk}-back-pain")
    assert read == by_code["161891005"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("161891005", {"161891005"}),
        (f"{SNOMED}|370143000", {"370143000"}),
        ("161891005,370143000", {"161891005", "370143000"}),
        ("http://loinc.org|161891005", set()),
        ("44054006", set()),
    ],
)
def test_observations_are_searched_by_code(api, patient, code, expected):
    VisitFactory(patient=patient)
    body = api(f"/fhir/Observation?patient={patient.pk}&code={code}")
    found = {e["resource"]["code"]["coding"][0]["code"] for e in body.get("entry", [])}
    assert found == expected
    assert body["total"] == len(expected)


def test_observation_pages_split_visits_exactly(api, patient):
    visits = [VisitFactory(patient=patient, visit_at=days_ago(day)) for day in range(4)]
    entries, bundles = _follow(api, f"/fhir/Observation?patient={patient.pk}&_count=3")
    expected = [f"{v.pk}-{kind}" for v in visits for kind in ("back-pain", "major-depression")]
    assert [e["resource"]["id"] for e in entries] == expected
    assert [b["total"] for b in bundles] == [8, 8, 8]


def test_flags_are_searched_by_status(api, patient):
    open_flag = FlagFactory(visit=VisitFactory(patient=patient), kind=FlagKind.ASSESS_DEPRESSION)
    resolved = FlagFactory(
        visit=VisitFactory(patient=patient),
        kind=FlagKind.ASSESS_BACK_PAIN,
        status=FlagStatus.RESOLVED,
        outcome="not_present",
        resolution_note="seen",
        resolved_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        resolved_by=patient.created_by,
    )
    active = api(f"/fhir/Flag?patient={patient.pk}&status=active")
    assert [e["resource"]["id"] for e in active["entry"]] == [str(open_flag.pk)]
    assert active["entry"][0]["resource"]["status"] == "active"
    inactive = api(f"/fhir/Flag?patient={patient.pk}&status=inactive")
    assert [e["resource"]["id"] for e in inactive["entry"]] == [str(resolved.pk)]
    assert inactive["entry"][0]["resource"]["period"]["end"] == "2026-01-02T00:00:00Z"
    assert api(f"/fhir/Flag?patient={patient.pk}")["total"] == 2
    assert api(f"/fhir/Flag?patient={patient.pk}&status=entered-in-error")["total"] == 0
    assert api(f"/fhir/Flag?patient={patient.pk}&status=done", status=400)["issue"]
    assert api(f"/fhir/Flag/{open_flag.pk}")["code"]["coding"][0]["code"] == "assess_depression"


def test_searches_run_a_fixed_number_of_queries_whatever_the_page_size(
    client, read_token, patient, django_assert_max_num_queries
):
    for day in range(30):
        VisitFactory(patient=patient, visit_at=days_ago(day))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {read_token}"}
    for size in (5, 30):
        for resource in ("QuestionnaireResponse", "Observation"):
            with django_assert_max_num_queries(10):
                url = f"/fhir/{resource}?patient={patient.pk}&_count={size}"
                assert client.get(url, **headers).status_code == 200


def test_the_capability_statement_lists_exactly_the_registry(api):
    body = api("/fhir/metadata")
    assert body == capability_statement()
    served = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(served) == {
        "Patient",
        "Questionnaire",
        "QuestionnaireResponse",
        "Observation",
        "Flag",
    }
    assert [i["code"] for i in served["Observation"]["interaction"]] == ["read", "search-type"]
    assert {p["name"] for p in served["Observation"]["searchParam"]} == {"patient", "code"}
    for entry in registry.RESOURCES:
        for code in entry.interactions:
            assert {"code": code} in served[entry.type]["interaction"]


def test_every_interaction_the_statement_lists_is_answered(api, patient):
    """Each read and search-type of the statement answers a valid resource, never a 404/405."""
    visit = VisitFactory(patient=patient)
    flag = FlagFactory(visit=visit)
    ids = {
        "Patient": patient.pk,
        "Questionnaire": "spine-mood-screen",
        "QuestionnaireResponse": visit.pk,
        "Observation": f"{visit.pk}-major-depression",
        "Flag": flag.pk,
    }
    for entry in api("/fhir/metadata")["rest"][0]["resource"]:
        kind = entry["type"]
        for interaction in (i["code"] for i in entry["interaction"]):
            if interaction == "read":
                assert api(f"/fhir/{kind}/{ids[kind]}")["id"] == str(ids[kind])
            elif interaction == "search-type":
                name = entry["searchParam"][0]["name"]
                value = "MRN0042" if name == "identifier" else patient.pk
                assert api(f"/fhir/{kind}?{name}={value}")["total"] >= 1


def test_a_search_never_writes_the_search_values_to_the_audit_trail(api, patient):
    api("/fhir/Patient?identifier=MRN0042")
    row = Audit.objects.get(action=AuditAction.API_CALL)
    assert "MRN0042" not in str(row.detail)
    assert row.detail["matches"] == 1
    assert ApiClient.objects.get(name="ehr-read").last_used_at is not None


def test_405_naming_the_served_methods_when_a_type_is_sent_what_it_does_not_serve(
    client, read_token, patient
):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {read_token}"}
    response = client.post("/fhir/Flag", "{}", content_type="application/fhir+json", **headers)
    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert response.json()["issue"][0]["code"] == "not-supported"
    response = client.delete(f"/fhir/Patient/{patient.pk}", **headers)
    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert Audit.objects.filter(action=AuditAction.API_CALL, detail__status=405).count() == 2
