"""No password-only way in: every login URL the project exposes, and sessions that owe a code."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Audit, AuditAction
from tests.conftest import TEST_PASSWORD, force_login_with_code
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# Every URL that takes a password or a code. The test below fails when a new one appears, so
# it cannot be added without being tried here.
PASSWORD_URLS = {"/accounts/login/", "/django-admin/login/"}
CODE_URLS = {"/accounts/login/otp/", "/accounts/login/otp/enrol/"}


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, route)
        elif isinstance(entry, URLPattern):
            routes.append("/" + route.lstrip("^").rstrip("$").replace("\\Z", ""))
    return routes


def test_every_login_url_is_one_this_module_tries():
    logins = {route for route in _routes(get_resolver()) if "login" in route}
    assert logins == PASSWORD_URLS | CODE_URLS


def _patient_pages(patient) -> list[str]:
    return [
        reverse("patients:detail", args=[patient.pk]),
        reverse("review:queue"),
        reverse("exports:exports"),
        "/django-admin/",
        "/django-admin/audit/audit/",
    ]


def _assert_no_patient_page(client, patient) -> None:
    for url in _patient_pages(patient):
        response = client.get(url, follow=True)
        assert response.request["PATH_INFO"] == reverse("login"), url
        assert patient.family_name not in response.content.decode()


@pytest.fixture
def staff_admin_with_device(admin_user, settings):
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = True
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    return admin_user


@pytest.mark.parametrize("url", sorted(PASSWORD_URLS))
def test_a_password_alone_opens_no_session_at_any_login_url(client, staff_admin_with_device, url):
    patient = PatientFactory()
    credentials = {"username": staff_admin_with_device.username, "password": TEST_PASSWORD}

    client.get(url)
    client.post(url, credentials)

    assert "_auth_user_id" not in client.session
    _assert_no_patient_page(client, patient)
    assert not Audit.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_the_admin_login_sends_people_to_the_app_sign_in(client):
    response = client.get("/django-admin/login/?next=/django-admin/audit/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/django-admin/audit/audit/"
    landed = client.get("/django-admin/", follow=True)
    assert landed.redirect_chain[-1] == ("/accounts/login/?next=/django-admin/", 302)


def test_a_session_without_its_code_ends_before_any_page(client, staff_admin_with_device):
    patient = PatientFactory()
    client.force_login(staff_admin_with_device)  # e.g. a session older than the device

    response = client.get(reverse("patients:detail", args=[patient.pk]))

    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("login")).content.decode()
    assert "needs a code from your authenticator app" in page
    row = Audit.objects.get(action=AuditAction.SIGN_OUT)
    assert (row.actor, row.detail) == (staff_admin_with_device, {"reason": "two_factor"})
    _assert_no_patient_page(client, patient)


def test_a_session_that_must_enrol_ends_before_any_page(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = True
    client.force_login(reviewer)  # signed in before the clinic required two-factor
    response = client.get(reverse("review:queue"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_session_with_its_code_reaches_the_admin_and_patient_pages(
    client, staff_admin_with_device
):
    patient = PatientFactory()
    force_login_with_code(
        client, staff_admin_with_device, staff_admin_with_device.totpdevice_set.get()
    )
    assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_a_clinician_needs_no_code_where_the_clinic_requires_it_of_staff_roles(
    client, clinician, settings
):
    settings.OTP_REQUIRED_FOR_STAFF_ROLES = True
    client.force_login(clinician)
    assert client.get(reverse("patients:search")).status_code == 200


def test_a_bearer_token_opens_no_session(client, read_token):
    patient = PatientFactory()
    response = client.get(f"/fhir/Patient/{patient.pk}", HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "_auth_user_id" not in client.session
    _assert_no_patient_page(client, patient)
