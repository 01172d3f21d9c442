"""TOTP two-factor sign-in with real codes computed from the device key (RFC 6238)."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Audit, AuditAction
from tests.conftest import TEST_PASSWORD, force_login_with_code

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the user's app shows now (or `steps_ahead` 30-second steps later).

    A code is accepted once, and only at a later step than the last one used, so a second
    sign-in in the same test uses the next step's code (the device allows one step of drift).
    """
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def password_step(client, user, next_url: str | None = None):
    data = {"username": user.username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def signed_in(client) -> bool:
    return client.get(reverse("patients:search")).status_code == 200


def test_enrolment_page_shows_a_qr_code_without_style_and_the_setup_link(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("two_factor"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in body
    assert "otpauth://totp/Spine%20%26%20Mood%20Screen%3Arev_reviewer?secret=" in body
    assert "style=" not in body
    # reloading keeps the same secret until it is confirmed
    assert client.get(reverse("two_factor")).content.decode().count("secret=") == 1
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=False).count() == 1


def test_enrolment_is_confirmed_and_audited_when_the_code_is_right(client, reviewer):
    client.force_login(reviewer)
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(reverse("two_factor"), {"code": code(device)}, follow=True)
    assert "Two-factor sign-in is on." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is True
    row = Audit.objects.get(action=AuditAction.USER_CHANGE)
    assert (row.actor, row.detail) == (reviewer, {"two_factor": "enrolled"})


def test_enrolment_is_refused_when_the_code_is_wrong(client, reviewer):
    client.force_login(reviewer)
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=reviewer)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor"), {"code": wrong})
    assert "That code is not valid." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False


def test_two_factor_page_is_forbidden_for_a_clinician(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("two_factor")).status_code == 403


def test_password_alone_does_not_sign_in_when_the_user_has_a_device(client, admin_user):
    device = enrolled(admin_user)
    response = password_step(client, admin_user)
    assert response["Location"] == reverse("login_otp")
    assert not signed_in(client)
    assert not Audit.objects.filter(action=AuditAction.SIGN_IN).exists()
    page = client.get(reverse("login_otp"))
    assert "Enter your sign-in code" in page.content.decode()
    finished = client.post(reverse("login_otp"), {"code": code(device)})
    assert finished.status_code == 302
    assert signed_in(client)
    assert Audit.objects.filter(action=AuditAction.SIGN_IN, actor=admin_user).exists()


def test_next_page_is_kept_through_the_code_step(client, admin_user):
    device = enrolled(admin_user)
    password_step(client, admin_user, next_url="/audit/")
    finished = client.post(reverse("login_otp"), {"code": code(device)})
    assert finished["Location"] == "/audit/"


def test_offsite_next_page_is_dropped_through_the_code_step(client, admin_user):
    device = enrolled(admin_user)
    password_step(client, admin_user, next_url="https://evil.example/")
    finished = client.post(reverse("login_otp"), {"code": code(device)})
    assert finished["Location"] == reverse("home")


def test_wrong_code_does_not_sign_in_and_is_audited_as_a_failed_sign_in(client, admin_user):
    device = enrolled(admin_user)
    password_step(client, admin_user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("login_otp"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert not signed_in(client)
    row = Audit.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (row.username, row.detail) == ("ad_admin", {"step": "two_factor", "throttled": False})


def test_right_code_is_refused_for_a_while_after_repeated_wrong_ones(client, admin_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # ten minutes after the first wrong code
    device = enrolled(admin_user)
    password_step(client, admin_user)
    client.post(reverse("login_otp"), {"code": "000000" if code(device) != "000000" else "111111"})
    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert "Too many wrong codes." in response.content.decode()
    assert not signed_in(client)


def test_a_used_code_cannot_be_used_again(client, admin_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # this test is about replay, not about throttling
    device = enrolled(admin_user)
    password_step(client, admin_user)
    used = code(device)
    client.post(reverse("login_otp"), {"code": used})
    client.logout()
    password_step(client, admin_user)
    response = client.post(reverse("login_otp"), {"code": used})
    assert "That code is not valid." in response.content.decode()
    assert not signed_in(client)
    # the app's next code works
    finished = client.post(reverse("login_otp"), {"code": code(device, steps_ahead=1)})
    assert finished.status_code == 302


def test_code_step_without_a_password_sends_back_to_sign_in(client):
    response = client.get(reverse("login_otp"))
    assert response["Location"] == reverse("login")
    assert client.post(reverse("login_otp_enrol"), {"code": "123456"})["Location"] == reverse(
        "login"
    )


def test_code_step_expires_after_five_minutes(client, admin_user):
    device = enrolled(admin_user)
    password_step(client, admin_user)
    session = client.session
    session["two_factor_pending"]["at"] -= 301
    session.save()
    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_account_deactivated_between_the_steps_is_not_signed_in(client, admin_user):
    device = enrolled(admin_user)
    password_step(client, admin_user)
    admin_user.is_active = False
    admin_user.save()
    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert response["Location"] == reverse("login")


def test_required_two_factor_sends_an_admin_to_enrol_before_any_page(client, admin_user, settings):
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = True
    response = password_step(client, admin_user, next_url="/audit/")
    assert response["Location"] == reverse("login_otp_enrol")
    assert client.get("/audit/")["Location"].startswith(LOGIN)  # nothing opens before enrolment
    page = client.get(reverse("login_otp_enrol"))
    assert "Set up two-factor sign-in" in page.content.decode()
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    finished = client.post(reverse("login_otp_enrol"), {"code": code(device)})
    assert finished["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True
    assert Audit.objects.filter(action=AuditAction.USER_CHANGE, actor=admin_user).exists()
    # from now on the code step applies
    client.logout()
    assert password_step(client, admin_user)["Location"] == reverse("login_otp")


def test_required_two_factor_leaves_clinicians_with_password_sign_in(client, clinician, settings):
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = True
    assert password_step(client, clinician)["Location"] == reverse("home")
    assert signed_in(client)


def test_optional_two_factor_lets_a_reviewer_without_a_device_sign_in(client, reviewer):
    assert password_step(client, reviewer)["Location"] == reverse("home")


def test_reviewer_turns_off_their_own_two_factor_unless_required(client, reviewer, settings):
    force_login_with_code(client, reviewer, enrolled(reviewer))
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = True
    refused = client.post(reverse("two_factor_remove"), follow=True)
    assert "cannot be turned off" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = False
    client.post(reverse("two_factor_remove"))
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert Audit.objects.get(action=AuditAction.USER_CHANGE).detail == {"two_factor": "removed"}


def test_admin_removes_a_lost_device_so_the_user_signs_in_with_a_password(
    client, admin_user, reviewer
):
    enrolled(reviewer)
    client.force_login(admin_user)
    page = client.get(reverse("user_edit", args=[reviewer.pk])).content.decode()
    assert "Remove two-factor device" in page
    client.post(reverse("user_two_factor_remove", args=[reviewer.pk]))
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    row = Audit.objects.get(action=AuditAction.USER_CHANGE)
    assert (row.actor, row.object_id) == (admin_user, str(reviewer.pk))
    client.logout()
    assert password_step(client, reviewer)["Location"] == reverse("home")
