"""An admin manages users and reads the audit trail; a reviewer turns on two-factor sign-in."""

import base64
import re
from urllib.parse import parse_qs, urlparse

from django.contrib.auth.models import User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from audit.models import Audit, AuditAction
from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.factories import PatientFactory

TEMPORARY = "quiet-meadow-falcon-31"


def test_admin_creates_changes_resets_and_deactivates_a_user(page: Page, sign_in, live_server):
    make_user("boss", "admin")
    sign_in("boss")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Username").fill("nurse_ng")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Ng")
    page.get_by_label("Email address").fill("ada.ng@example.org")
    page.get_by_label(re.compile("Clinician: find")).check()
    page.get_by_label("Temporary password*", exact=True).fill(TEMPORARY)
    page.get_by_label("Temporary password again").fill(TEMPORARY)
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("User nurse_ng created.")).to_be_visible()
    expect(page.get_by_role("heading", name="User nurse_ng")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_label(re.compile("Reviewer: a clinician")).check()
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_text("nurse_ng is now a reviewer.")).to_be_visible()

    page.get_by_role("link", name="Reset password").click()
    page.get_by_label("Temporary password*", exact=True).fill("short")
    page.get_by_label("Temporary password again").fill("short")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("This password is too short.", exact=False)).to_be_visible()
    page.get_by_label("Temporary password*", exact=True).fill(TEMPORARY + "x")
    page.get_by_label("Temporary password again").fill(TEMPORARY + "x")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("Password reset for nurse_ng.")).to_be_visible()

    page.get_by_role("link", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate nurse_ng").click()
    expect(page.get_by_text("nurse_ng is deactivated and can no longer sign in.")).to_be_visible()
    assert User.objects.get(username="nurse_ng").is_active is False
    actions = set(
        Audit.objects.filter(object_id=str(User.objects.get(username="nurse_ng").pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {
        AuditAction.USER_CREATE,
        AuditAction.USER_CHANGE,
        AuditAction.USER_PASSWORD_RESET,
        AuditAction.USER_DEACTIVATE,
    }


def test_admin_is_told_why_they_cannot_deactivate_themselves(page: Page, sign_in, live_server):
    boss = make_user("boss", "admin")
    sign_in("boss")
    page.goto(f"{live_server.url}/accounts/users/{boss.pk}/deactivate/")
    page.get_by_role("button", name="Deactivate boss").click()
    expect(page.get_by_role("alert")).to_contain_text("You cannot deactivate your own account")


def test_admin_filters_the_audit_log_by_mrn_without_it_reaching_the_url(
    page: Page, sign_in, live_server
):
    make_user("boss", "admin")
    patient = PatientFactory(mrn="MRN-E2E-4242")
    sign_in("boss")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")  # audited as a patient view
    panel = page.get_by_role("region", name="Accessed by")
    expect(panel.get_by_role("cell", name="boss")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Patient MRN").fill("MRN-E2E-4242")
    page.get_by_role("button", name="Apply filter").click()
    expect(page.get_by_test_id("audit-count")).to_contain_text("matching the filter")
    assert "MRN-E2E-4242" not in page.url
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the one patient view
    expect(page.get_by_role("table")).to_contain_text("Viewed a patient")

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download CSV")).click()
    assert download.value.suggested_filename.startswith("audit-log-")
    assert Audit.objects.filter(action=AuditAction.AUDIT_EXPORT).count() == 1


def _code_for(uri: str, steps_ahead: int = 0) -> str:
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def test_reviewer_turns_on_two_factor_and_then_signs_in_with_a_code(
    page: Page, sign_in, live_server
):
    make_user("rita", "reviewer")
    sign_in("rita")
    page.goto(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_text("Can't scan? Show the setup link").click()
    uri = page.get_by_test_id("otp-uri").inner_text()
    page.get_by_label("Code from your authenticator app").fill(_code_for(uri))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()
    assert TOTPDevice.objects.get(user__username="rita").confirmed

    page.get_by_role("button", name="Sign out").click()
    sign_in("rita")
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Code from your authenticator app").fill(_code_for(uri, steps_ahead=1))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("rita")
