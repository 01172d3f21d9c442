"""Who may call the FHIR API: an API client's bearer token, never a session; each call audited."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from audit.models import Audit, AuditAction
from audit.services import Actor
from interop.auth import api_view, check_scope
from interop.models import ApiClient, Scope
from interop.services import revoke_api_client
from tests.conftest import api_token

pytestmark = pytest.mark.django_db

UNKNOWN = "/fhir/Nothing/here"
DISCOVERY = "/cds-services"


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _assert_401(response, diagnostics: str) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["WWW-Authenticate"].startswith('Bearer realm="spine-mood-screen"')
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "login"
    assert diagnostics in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize("url", [UNKNOWN, DISCOVERY])
def test_401_when_no_token_is_sent(client, url):
    _assert_401(client.get(url), "bearer token is required")


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"]
)
def test_401_when_the_authorization_header_is_not_a_bearer_token(client, header):
    _assert_401(client.get(UNKNOWN, HTTP_AUTHORIZATION=header), "bearer token is required")


def test_401_when_the_token_is_wrong_even_with_a_known_prefix(client, read_token):
    forged = read_token[:8] + "x" * (len(read_token) - 8)
    response = client.get(UNKNOWN, **_bearer(forged))
    _assert_401(response, "not known")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert not Audit.objects.filter(action=AuditAction.API_CALL).exists()


def test_401_and_an_audit_row_when_the_token_was_revoked(client, read_token, admin_user):
    api_client = ApiClient.objects.get(name="ehr-read")
    assert client.get(DISCOVERY, **_bearer(read_token)).status_code == 200
    revoke_api_client(client_id=api_client.pk, actor=Actor(user=admin_user))

    _assert_401(client.get(DISCOVERY, **_bearer(read_token)), "revoked")

    row = Audit.objects.filter(action=AuditAction.API_CALL).latest("id")
    assert row.detail["client_id"] == api_client.pk
    assert row.detail["status"] == 401


def test_401_when_a_signed_in_session_sends_no_token(client, admin_user):
    client.force_login(admin_user)
    _assert_401(client.get(DISCOVERY), "bearer token is required")
    _assert_401(client.post(UNKNOWN, {}, content_type="application/json"), "required")
    assert "_auth_user_id" in client.session  # the session is neither used nor ended


def test_a_session_owing_a_new_password_is_not_redirected_from_the_api(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session["password_set_by_admin"] = True
    session.save()
    _assert_401(client.get(DISCOVERY), "required")


def test_a_valid_token_is_answered_and_audited_with_its_client(client, read_token):
    response = client.get(DISCOVERY, **_bearer(read_token), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    row = Audit.objects.get(action=AuditAction.API_CALL)
    api_client = ApiClient.objects.get(name="ehr-read")
    assert row.actor is None
    assert row.username == "api:ehr-read"
    assert row.ip_address == "192.0.2.7"
    assert row.detail == {
        "client_id": api_client.pk,
        "client": "ehr-read",
        "method": "GET",
        "resource": "CDSServices",
        "interaction": "discovery",
        "status": 200,
    }
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


def test_csrf_is_not_asked_of_a_bearer_post(read_token):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        UNKNOWN, "{}", content_type="application/fhir+json", **_bearer(read_token)
    )
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-supported"


def test_the_capability_statement_needs_no_token(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.json()["resourceType"] == "CapabilityStatement"


def test_a_read_token_gets_403_on_a_write_and_a_write_token_passes():
    reader = ApiClient(name="r", scope=Scope.READ)
    writer = ApiClient(name="w", scope=Scope.WRITE)
    refused = check_scope(reader, Scope.WRITE)
    assert refused is not None
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert refused["Content-Type"].startswith("application/fhir+json")
    assert check_scope(reader, Scope.READ) is None
    assert check_scope(writer, Scope.WRITE) is None
    assert check_scope(writer, Scope.READ) is None


def test_a_write_view_refuses_a_read_token_with_403_and_audits_it():
    @api_view(
        resource="QuestionnaireResponse", interaction="create", scope="write", methods=("POST",)
    )
    def write(request):
        raise AssertionError("a read token reached the write")

    reader_token = api_token("reader")
    request = RequestFactory().post("/fhir/X", HTTP_AUTHORIZATION=f"Bearer {reader_token}")
    request.user = AnonymousUser()
    response = write(request)

    assert response.status_code == 403
    assert json.loads(response.content)["issue"][0]["code"] == "forbidden"
    row = Audit.objects.get(action=AuditAction.API_CALL)
    assert (row.detail["status"], row.detail["interaction"]) == (403, "create")

    writer_token = api_token("writer", "write")
    called = []

    @api_view(
        resource="QuestionnaireResponse", interaction="create", scope="write", methods=("POST",)
    )
    def write_ok(request):
        called.append(request.api_client.name)
        from django.http import HttpResponse

        return HttpResponse(status=201)

    request = RequestFactory().post("/fhir/X", HTTP_AUTHORIZATION=f"Bearer {writer_token}")
    assert write_ok(request).status_code == 201
    assert called == ["writer"]


def _walk_urls(patient, visit, flag) -> dict[str, tuple[str, bool]]:
    """Each API URL name: (a URL that answers 200, whether the call touches the patient)."""
    return {
        "fhir:metadata": ("/fhir/metadata", False),
        "fhir:unknown": ("/fhir/Nothing/here", False),
        "cds_discovery": ("/cds-services", False),
        "fhir:Patient": (f"/fhir/Patient?identifier={patient.mrn}", True),
        "fhir:Patient-read": (f"/fhir/Patient/{patient.pk}", True),
        "fhir:QuestionnaireResponse": (f"/fhir/QuestionnaireResponse?patient={patient.pk}", True),
        "fhir:QuestionnaireResponse-read": (f"/fhir/QuestionnaireResponse/{visit.pk}", True),
        "fhir:Observation": (f"/fhir/Observation?patient={patient.pk}", True),
        "fhir:Observation-read": (f"/fhir/Observation/{visit.pk}-back-pain", True),
        "fhir:Flag": (f"/fhir/Flag?patient={patient.pk}&status=active", True),
        "fhir:Flag-read": (f"/fhir/Flag/{flag.pk}", True),
        "fhir:Questionnaire-read": ("/fhir/Questionnaire/spine-mood-screen", False),
    }


# POST only, each with a body: their api_call rows are checked where they are posted
# (test_fhir_responses_in.py, test_cds_hooks.py).
POSTED = {"fhir_transaction", "cds:service"}


def test_every_api_url_is_audited_with_its_client_and_patient(client, read_token):
    from tests.factories import FlagFactory
    from tests.integration.audit_urls import API_CALLS

    flag = FlagFactory()
    walk = _walk_urls(flag.patient, flag.visit, flag)
    assert set(walk) | POSTED == set(API_CALLS)
    api_client = ApiClient.objects.get(name="ehr-read")
    for name, (url, touches_patient) in walk.items():
        before = Audit.objects.filter(action=AuditAction.API_CALL).count()
        response = client.get(url, **_bearer(read_token))
        assert response.status_code == (404 if name == "fhir:unknown" else 200), name
        rows = Audit.objects.filter(action=AuditAction.API_CALL).order_by("id")
        if name == "fhir:metadata":
            assert rows.count() == before  # public, no client to name
            continue
        assert rows.count() == before + 1, name
        row = rows.last()
        assert (row.detail["client_id"], row.detail["status"]) == (
            api_client.pk,
            response.status_code,
        ), name
        assert row.patient == (flag.patient if touches_patient else None), name
