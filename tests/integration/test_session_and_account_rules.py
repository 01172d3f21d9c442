"""Sessions end by the clock from sign-in; a password an admin set must be replaced first."""

import time

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from audit.models import Audit, AuditAction
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db
TEMPORARY = "Temporary-Pass-4417"
OWN = "Own-chosen-Pass-9921"


def _stamp(client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_a_busy_session_still_ends_twelve_hours_after_sign_in(client, clinician, settings):
    client.force_login(clinician)
    client.get(reverse("patients:search"))
    _stamp(client, **{SIGNED_IN_AT_KEY: settings.SESSION_MAX_HOURS * 3600 + 5, LAST_SEEN_KEY: 10})

    kept_alive = client.post(reverse("keepalive"))

    assert (kept_alive.status_code, kept_alive["Location"]) == (302, reverse("login"))
    page = client.get(reverse("login")).content.decode()
    assert "signed out 12 hours after signing in" in page
    row = Audit.objects.get(action=AuditAction.SIGN_OUT)
    assert (row.actor, row.detail) == (clinician, {"reason": "expired"})


def test_keepalives_do_not_move_the_sign_in_time(client, clinician):
    client.force_login(clinician)
    client.get(reverse("patients:search"))
    _stamp(client, **{SIGNED_IN_AT_KEY: 3600})
    signed_in_at = client.session[SIGNED_IN_AT_KEY]
    for _ in range(3):
        assert client.post(reverse("keepalive")).status_code == 204
    assert client.session[SIGNED_IN_AT_KEY] == signed_in_at


def _sign_in(client, username: str, password: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302


def _admin_creates(client, admin_user) -> User:
    client.force_login(admin_user)
    data = {
        "username": "nurse_ng",
        "first_name": "Ada",
        "last_name": "Ng",
        "email": "ada@example.org",
        "role": "clinician",
        "password1": TEMPORARY,
        "password2": TEMPORARY,
    }
    assert client.post(reverse("user_new"), data).status_code == 302
    client.logout()
    return User.objects.get(username="nurse_ng")


def test_a_temporary_password_must_be_replaced_before_any_other_page(client, admin_user):
    _admin_creates(client, admin_user)
    _sign_in(client, "nurse_ng", TEMPORARY)

    blocked = client.get(reverse("patients:search"), follow=True)

    assert blocked.request["PATH_INFO"] == reverse("password_change")
    assert "Your password was set by an administrator" in blocked.content.decode()
    changed = client.post(
        reverse("password_change"),
        {"old_password": TEMPORARY, "new_password1": OWN, "new_password2": OWN},
    )
    assert changed.status_code == 302
    assert client.get(reverse("patients:search")).status_code == 200
    client.logout()
    _sign_in(client, "nurse_ng", OWN)
    assert client.get(reverse("patients:search")).status_code == 200


def test_a_password_reset_by_an_admin_is_temporary_too(client, admin_user, clinician):
    client.force_login(admin_user)
    reset = {"new_password1": TEMPORARY, "new_password2": TEMPORARY}
    assert client.post(reverse("user_password", args=[clinician.pk]), reset).status_code == 302
    client.logout()
    _sign_in(client, clinician.username, TEMPORARY)
    assert client.get(reverse("review:queue"))["Location"] == reverse("password_change")


def test_a_password_the_user_chose_is_not_temporary(client, clinician):
    _sign_in(client, clinician.username, TEST_PASSWORD)
    assert client.get(reverse("patients:search")).status_code == 200
