"""Abuse of the patient's pages (issue 17, point 5): wrong codes and dates of birth limited per
address (the proxies' address rules honoured), no page stored, CSRF enforced, no clinician's
session inside patient mode, and no token in the audit trail."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Audit, AuditAction
from intake.models import Invitation, InvitationStatus
from tests.factories import PatientFactory
from tests.integration.self_entry_setup import invite

pytestmark = pytest.mark.django_db

START = reverse("intake:start")


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician, date_of_birth=dt.date(1962, 7, 9))


@pytest.fixture
def invited(client, clinician, patient):
    client.force_login(clinician)
    return invite(client, patient)


def test_wrong_codes_from_one_address_are_refused_after_the_limit_even_a_right_one(
    invited, settings
):
    settings.SELF_ENTRY_ADDRESS_TRIES = 3
    _, code, _ = invited
    browser = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert "did not work" in browser.post(START, {"code": "WRONGCOD"}).content.decode()
    response = browser.post(START, {"code": code})
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    # another address is not affected
    assert Client(REMOTE_ADDR="203.0.113.8").post(START, {"code": code}).status_code == 302


def test_wrong_dates_of_birth_count_against_the_address_across_invitations(
    client, invited, patient, settings
):
    settings.SELF_ENTRY_ADDRESS_TRIES = 4
    link, _, _ = invited
    other_link, _, _ = invite(client, PatientFactory())
    browser = Client(REMOTE_ADDR="198.51.100.4")
    for target in (link, link, other_link, other_link):
        browser.get(target)
        assert browser.post(target, {"date_of_birth": "1999-01-01"}).status_code == 400
    browser.get(link)
    response = browser.post(link, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert response.status_code == 429


def test_the_address_is_the_one_the_trusted_proxy_saw(invited, settings):
    settings.SELF_ENTRY_ADDRESS_TRIES = 2
    settings.TRUSTED_PROXY_COUNT = 1
    _, code, _ = invited
    proxy = "10.0.0.1"
    blocked = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    for _ in range(2):
        blocked.post(START, {"code": "WRONGCOD"})
    assert blocked.post(START, {"code": code}).status_code == 429
    # a client behind the same proxy keeps its own count; a forged left part changes nothing
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50, 203.0.113.51")
    assert other.post(START, {"code": code}).status_code == 302


def test_no_patient_page_may_be_stored(invited, patient):
    link, _, _ = invited
    browser = Client()
    pages = [browser.get(START), browser.get(link)]
    pages.append(browser.post(link, {"date_of_birth": patient.date_of_birth.isoformat()}))
    pages.append(browser.get(link))
    for response in pages:
        assert "no-store" in response["Cache-Control"]


def test_patient_form_without_its_csrf_token_is_refused(invited, patient):
    link, _, invitation = invited
    browser = Client(enforce_csrf_checks=True)
    browser.get(link)
    response = browser.post(link, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert response.status_code == 403
    response = browser.post(START, {"code": "ABCDEFGH"})
    assert response.status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).dob_failures == 0


def test_patient_mode_on_a_clinicians_browser_signs_the_clinician_out(client, invited, clinician):
    link, _, _ = invited
    page = client.get(link).content.decode()
    assert clinician.username not in page
    assert client.get(reverse("patients:search")).status_code == 302
    row = Audit.objects.filter(action=AuditAction.SIGN_OUT, actor=clinician).latest("id")
    assert row.detail == {"reason": "patient_mode"}


def test_the_token_appears_in_no_audit_row(invited, patient):
    link, code, _ = invited
    token = link.split("/")[2]
    browser = Client()
    browser.get(link)
    browser.post(link, {"date_of_birth": "1999-01-01"})
    Client().post(START, {"code": code})
    for row in Audit.objects.all():
        text = f"{row.detail} {row.object_id}"
        assert token not in text
        assert code.replace(" ", "") not in text


def test_five_wrong_dates_of_birth_by_the_code_withdraw_the_invitation(invited, patient):
    _, code, invitation = invited
    browser = Client()
    browser.post(START, {"code": code})
    entry = reverse("intake:entry")
    statuses = [browser.post(entry, {"date_of_birth": "2001-02-03"}).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 410]
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.WITHDRAWN
