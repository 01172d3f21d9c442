"""An invitation through each of its states, as the patient and the clinician see it (issue 17,
points 1, 2 and 6): created, opened, date of birth wrong (five times withdraws it), finished,
expired, withdrawn, reused."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from intake.models import Invitation, InvitationStatus, SelfEntry
from screening.models import EnteredBy, Visit
from tests.factories import ANSWERS, PatientFactory
from tests.integration.self_entry_setup import invite, open_and_confirm, patient_answers

pytestmark = pytest.mark.django_db

UNUSABLE = "This link or code cannot be used"


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician, date_of_birth=dt.date(1970, 3, 25))


@pytest.fixture
def invited(client, clinician, patient):
    client.force_login(clinician)
    link, code, invitation = invite(client, patient)
    return link, code, invitation


def test_created_invitation_shows_a_link_a_code_and_a_qr_code_and_stores_only_hashes(
    client, clinician, patient
):
    client.force_login(clinician)
    response = client.post(reverse("intake:invitations", args=[patient.pk]), {"mode": "link"})
    link, code, invitation = invite(client, patient, mode="link")
    page = response.content.decode()
    token = link.split("/")[2]
    assert "<svg" in page
    assert len(token) >= 43  # 256 bits, URL-safe
    assert invitation.status == InvitationStatus.CREATED
    assert token not in invitation.token_hash
    assert code.replace(" ", "") not in str(
        Invitation.objects.values_list("short_code_hash", flat=True)
    )
    assert dt.timedelta(days=6, hours=23) < invitation.expires_at - invitation.created_at
    rows = Audit.objects.filter(action=AuditAction.INVITATION_CREATE, patient=patient)
    assert rows.count() == 2
    assert all(token not in str(row.detail) for row in rows)
    assert patient.mrn not in link
    assert patient.family_name not in link


def test_tablet_invitation_lives_two_hours(invited):
    invitation = invited[2]
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=2)


def test_opened_invitation_asks_the_date_of_birth_and_names_nobody(invited, patient):
    link, _, invitation = invited
    patient_browser = Client()
    page = patient_browser.get(link).content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPENED
    assert 'name="date_of_birth"' in page
    assert patient.family_name not in page
    assert patient.mrn not in page
    assert Audit.objects.filter(action=AuditAction.INVITATION_OPEN, patient=patient).exists()


def test_wrong_date_of_birth_says_so_without_a_hint_and_five_withdraw_it(invited, patient):
    link, _, invitation = invited
    patient_browser = Client()
    patient_browser.get(link)
    for _attempt in range(4):
        response = patient_browser.post(link, {"date_of_birth": "1971-01-01"})
        assert response.status_code == 400
        assert "does not match" in response.content.decode()
        assert "1970" not in response.content.decode()
    response = patient_browser.post(link, {"date_of_birth": "1971-01-01"})
    invitation.refresh_from_db()
    assert response.status_code == 410
    assert UNUSABLE in response.content.decode()
    assert (invitation.status, invitation.dob_failures) == (InvitationStatus.WITHDRAWN, 5)
    assert invitation.withdrawn_by is None
    assert Audit.objects.filter(action=AuditAction.INVITATION_DOB_FAILED).count() == 5
    # the right date of birth no longer opens it
    assert Client().get(link).status_code == 410


def test_finished_invitation_records_a_visit_entered_by_the_patient(invited, patient, clinician):
    link, _, invitation = invited
    patient_browser = Client()
    page = open_and_confirm(patient_browser, link, patient).content.decode()
    assert 'name="backache_freq_30d"' in page
    response = patient_browser.post(link, patient_answers(ANSWERS["comorbid"]))
    assert response.status_code == 302
    assert "Thank you" in patient_browser.get(response["Location"]).content.decode()
    invitation.refresh_from_db()
    entry = SelfEntry.objects.get(invitation=invitation)
    visit = entry.visit
    assert invitation.status == InvitationStatus.SUBMITTED
    assert (visit.entered_by, visit.clinician, visit.major_depression, visit.back_pain) == (
        EnteredBy.PATIENT,
        clinician,
        True,
        True,
    )
    assert entry.answers["da_sad_2wk"] == "yes"
    assert entry.answers["an_duration"] is None
    assert Audit.objects.filter(action=AuditAction.INVITATION_FINISH, patient=patient).exists()


def test_reused_invitation_opens_nothing_and_records_nothing_more(invited, patient):
    link, code, _ = invited
    first = Client()
    open_and_confirm(first, link, patient)
    first.post(link, patient_answers(ANSWERS["negative"]))
    second = Client()
    assert UNUSABLE in second.get(link).content.decode()
    response = second.post(reverse("intake:start"), {"code": code})
    assert "did not work" in response.content.decode()
    assert Visit.objects.filter(patient=patient).count() == 1


def test_resubmitted_form_after_finishing_records_nothing_more(invited, patient):
    link, _, _ = invited
    browser = Client()
    open_and_confirm(browser, link, patient)
    data = patient_answers(ANSWERS["negative"])
    browser.post(link, data)
    response = browser.post(link, {"date_of_birth": patient.date_of_birth.isoformat(), **data})
    assert response.status_code == 410
    assert Visit.objects.filter(patient=patient).count() == 1


def test_expired_invitation_opens_nothing_and_shows_expired_to_the_clinician(
    client, invited, patient
):
    link, _, invitation = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert Client().get(link).status_code == 410
    page = client.get(reverse("intake:invitations", args=[patient.pk])).content.decode()
    assert "Expired" in page


def test_expiring_while_answering_records_nothing(invited, patient):
    link, _, invitation = invited
    browser = Client()
    open_and_confirm(browser, link, patient)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = browser.post(link, patient_answers(ANSWERS["negative"]))
    assert response.status_code == 410
    assert not Visit.objects.filter(patient=patient).exists()


def test_withdrawn_invitation_opens_nothing(client, invited, patient, clinician):
    link, code, invitation = invited
    response = client.post(reverse("intake:withdraw", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.withdrawn_by) == (InvitationStatus.WITHDRAWN, clinician)
    assert Client().get(link).status_code == 410
    assert "did not work" in Client().post(reverse("intake:start"), {"code": code}).content.decode()
    assert Audit.objects.filter(action=AuditAction.INVITATION_WITHDRAW, patient=patient).exists()


def test_short_code_opens_the_same_form(invited, patient):
    _, code, _ = invited
    browser = Client()
    response = browser.post(reverse("intake:start"), {"code": code.lower().replace(" ", "-")})
    assert response["Location"] == reverse("intake:entry")
    response = browser.post(
        reverse("intake:entry"), {"date_of_birth": patient.date_of_birth.isoformat()}
    )
    page = browser.get(response["Location"]).content.decode()
    assert 'name="backache_freq_30d"' in page
    browser.post(reverse("intake:entry"), patient_answers(ANSWERS["back_pain"]))
    assert Visit.objects.get(patient=patient).back_pain is True


def test_skip_logic_asks_follow_up_questions_on_the_server(invited, patient):
    link, _, _ = invited
    browser = Client()
    page = open_and_confirm(browser, link, patient).content.decode()
    assert 'id="div_id_da_duration" hidden' in page  # sent hidden: asked by the answers only
    response = browser.post(
        link,
        {
            "shown": "backache_freq_30d,da_sad_2wk",
            "backache_freq_30d": "not_at_all",
            "da_sad_2wk": "yes",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="div_id_da_duration" hidden' not in page
    assert "Please choose" not in page
    assert 'value="yes" checked' in page
    assert not Visit.objects.filter(patient=patient).exists()
    response = browser.post(link, {"shown": "backache_freq_30d,da_sad_2wk", "da_sad_2wk": "no"})
    assert "Please choose an answer" in response.content.decode()


def test_idle_and_no_javascript_return_to_the_start_page(invited, patient):
    link, _, _ = invited
    browser = Client()
    page = open_and_confirm(browser, link, patient).content.decode()
    assert 'data-self-idle-seconds="120"' in page
    assert 'http-equiv="refresh" content="120;url=/self/"' in page
    # the start page forgets the open invitation: the form asks the date of birth again
    browser.get(reverse("intake:start"))
    assert 'name="date_of_birth"' in browser.get(link).content.decode()


def test_a_second_click_of_the_last_continue_shows_the_same_last_page(invited, patient):
    """The browser shows the second request's answer: it must be the crisis page again, not
    "cannot be used", and nothing is recorded twice."""
    link, _, _ = invited
    browser = Client()
    open_and_confirm(browser, link, patient)
    before_submit = browser.session["self_entry"]
    data = patient_answers(ANSWERS["safety"])
    browser.post(link, data)
    session = browser.session
    session["self_entry"] = before_submit  # as the second click's request still carried it
    session.save()
    response = browser.post(link, data)
    assert response["Location"] == reverse("intake:done")
    assert "988" in browser.get(response["Location"]).content.decode()
    assert Visit.objects.filter(patient=patient).count() == 1


def test_codes_already_drawn_are_drawn_again(client, clinician, patient, monkeypatch):
    from intake import tokens

    client.force_login(clinician)
    drawn = iter(["AAAA2222", "AAAA2222", "BBBB3333"])
    monkeypatch.setattr(tokens, "new_short_code", lambda: next(drawn))
    _, first, _ = invite(client, patient)
    _, second, _ = invite(client, patient)
    assert (first, second) == ("AAAA 2222", "BBBB 3333")
