"""API clients: created by the command or the admin's page, the token shown once and stored as a
hash, revocable; every change audited; only admins reach the page."""

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command

from audit.models import Audit, AuditAction
from interop.models import ApiClient, Scope

pytestmark = pytest.mark.django_db

CLIENTS = "/interop/clients/"


def _discover(client, token: str) -> int:
    return client.get("/cds-services", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_the_command_prints_a_working_token_once_and_stores_its_hash(client):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_client", "Epic", "--scope", "write", stdout=out, stderr=err)

    token = out.getvalue().strip()
    row = ApiClient.objects.get(name="Epic")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert row.scope == Scope.WRITE
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.token_prefix == token[:8]
    assert token not in str(ApiClient.objects.values().get())
    assert "shown only now" in err.getvalue()
    assert _discover(client, token) == 200
    audit = Audit.objects.get(action=AuditAction.API_CLIENT_CREATE)
    assert audit.detail == {
        "client_id": row.pk,
        "name": "Epic",
        "scope": "write",
        "via": "command",
    }
    assert token not in str(Audit.objects.values_list("detail", flat=True))


def test_the_command_refuses_a_name_in_use_with_status_2():
    call_command("create_api_client", "Epic", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError) as refused:
        call_command("create_api_client", "Epic", stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2
    assert "name" in str(refused.value)
    assert ApiClient.objects.count() == 1


def test_the_command_makes_a_read_token_by_default():
    call_command("create_api_client", "OpenEMR", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiClient.objects.get().scope == Scope.READ


def test_an_admin_creates_a_client_and_sees_its_token_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post(CLIENTS, {"name": "Epic Hyperspace", "scope": "read"})

    assert response.status_code == 200
    page = response.content.decode()
    token = re.search(r'id="api-token" type="text" value="([A-Za-z0-9_-]{43})"', page)[1]
    assert "cannot be shown again" in page
    row = ApiClient.objects.get(name="Epic Hyperspace")
    assert row.created_by == admin_user
    assert "no-store" in response["Cache-Control"]
    assert token not in str(dict(client.session))
    assert _discover(client, token) == 200
    listing = client.get(CLIENTS).content.decode()
    assert "Epic Hyperspace" in listing
    assert row.token_prefix in listing
    assert token not in listing
    audit = Audit.objects.get(action=AuditAction.API_CLIENT_CREATE)
    assert (audit.actor, audit.detail["via"]) == (admin_user, "page")


def test_a_taken_name_is_refused_on_the_page_and_nothing_is_created(client, admin_user):
    call_command("create_api_client", "Epic", stdout=io.StringIO(), stderr=io.StringIO())
    client.force_login(admin_user)
    response = client.post(CLIENTS, {"name": "epic", "scope": "read"})
    assert response.status_code == 200
    assert "An API client with this name exists" in response.content.decode()
    assert ApiClient.objects.count() == 1


def test_an_admin_revokes_a_client_and_its_token_stops_working(client, admin_user):
    out = io.StringIO()
    call_command("create_api_client", "Epic", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    row = ApiClient.objects.get()
    client.force_login(admin_user)

    confirm = client.get(f"/interop/clients/{row.pk}/revoke/")
    assert "Revoke Epic?" in confirm.content.decode()
    response = client.post(f"/interop/clients/{row.pk}/revoke/", follow=True)

    assert "revoked" in response.content.decode()
    row.refresh_from_db()
    assert (row.revoked_by, row.revoked_at is not None) == (admin_user, True)
    assert _discover(client, token) == 401
    client.post(f"/interop/clients/{row.pk}/revoke/")  # twice: audited once
    audit = Audit.objects.get(action=AuditAction.API_CLIENT_REVOKE)
    assert (audit.actor, audit.detail) == (admin_user, {"client_id": row.pk, "name": "Epic"})


def test_revoking_a_client_that_does_not_exist_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.post("/interop/clients/999999/revoke/").status_code == 404


@pytest.mark.parametrize("role", ["clinician", "reviewer"])
def test_403_and_nothing_created_when_a_non_admin_posts(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(CLIENTS).status_code == 403
    assert client.post(CLIENTS, {"name": "x", "scope": "write"}).status_code == 403
    assert not ApiClient.objects.exists()


def test_the_admin_nav_links_to_the_clients_page(client, admin_user, clinician):
    client.force_login(admin_user)
    assert 'href="/interop/clients/"' in client.get("/audit/").content.decode()
    client.force_login(clinician)
    assert "/interop/clients/" not in client.get("/patients/").content.decode()
