"""Sign-in, lockout, idle sign-out and sign-out, each leaving its audit row."""

import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY
from audit.models import Audit, AuditAction
from tests.conftest import TEST_PASSWORD

LOGIN = "/accounts/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.django_db
def test_sign_in_is_audited_with_the_address_when_the_password_is_right(client, clinician):
    response = _login(client, clinician.username, TEST_PASSWORD)
    assert response.status_code == 302
    row = Audit.objects.get(action=AuditAction.SIGN_IN)
    assert (row.actor, row.username, row.ip_address) == (clinician, clinician.username, "127.0.0.1")


@pytest.mark.django_db
def test_failed_sign_in_is_audited_and_explained_when_the_password_is_wrong(client, clinician):
    response = _login(client, clinician.username, "not-the-password")
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
    row = Audit.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert row.actor is None
    assert row.username == clinician.username


@pytest.mark.django_db
def test_account_locks_after_five_failures_even_for_the_right_password(client, clinician):
    for _ in range(5):
        _login(client, clinician.username, "not-the-password")
    response = _login(client, clinician.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert Audit.objects.filter(action=AuditAction.LOCKOUT, username=clinician.username).exists()
    # the record an administrator sees in Django's admin (django-axes)
    assert AccessAttempt.objects.get(username=clinician.username).failures_since_start >= 5
    assert not Audit.objects.filter(action=AuditAction.SIGN_IN).exists()


@pytest.mark.django_db
def test_four_failures_do_not_lock_the_account(client, clinician):
    for _ in range(4):
        _login(client, clinician.username, "not-the-password")
    assert _login(client, clinician.username, TEST_PASSWORD).status_code == 302


def last_seen(client: Any, *, seconds_ago: float) -> None:
    """Backdate the session's last activity, as if the person had been away that long."""
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds_ago
    session.save()


@pytest.mark.django_db
def test_idle_session_ends_and_the_sign_in_page_says_why(client, clinician, settings):
    client.force_login(clinician)
    last_seen(client, seconds_ago=settings.IDLE_TIMEOUT_MINUTES * 60 + 5)
    response = client.get(reverse("patients:search"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    page = client.get(response["Location"]).content.decode()
    assert f"signed out after {settings.IDLE_TIMEOUT_MINUTES} minutes without activity" in page
    assert Audit.objects.filter(action=AuditAction.IDLE_SIGN_OUT, actor=clinician).exists()
    # the session is gone: the next page asks for sign-in again
    assert client.get(reverse("patients:search"))["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("seconds_ago", [10, 10 * 60])  # the browser times from this answer
def test_keepalive_refreshes_the_idle_stamp_when_the_person_is_typing(
    client, clinician, seconds_ago
):
    client.force_login(clinician)
    last_seen(client, seconds_ago=seconds_ago)

    response = client.post(reverse("keepalive"))

    assert response.status_code == 204
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


@pytest.mark.django_db
def test_keepalive_after_the_idle_limit_ends_the_session(client, clinician, settings):
    client.force_login(clinician)
    last_seen(client, seconds_ago=settings.IDLE_TIMEOUT_MINUTES * 60 + 5)

    response = client.post(reverse("keepalive"))

    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert Audit.objects.filter(action=AuditAction.IDLE_SIGN_OUT, actor=clinician).exists()


@pytest.mark.django_db
def test_active_session_continues_within_the_idle_limit(client, clinician):
    client.force_login(clinician)
    last_seen(client, seconds_ago=60)
    assert client.get(reverse("patients:search")).status_code == 200


@pytest.mark.django_db
def test_sign_out_needs_post_and_is_audited(client, clinician):
    client.force_login(clinician)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert Audit.objects.filter(action=AuditAction.SIGN_OUT, actor=clinician).exists()
    assert client.get(reverse("patients:search"))["Location"].startswith(LOGIN)
