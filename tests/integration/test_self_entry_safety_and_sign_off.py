"""Safety at once and the clinician's sign-off (issue 17, points 3 and 4): a patient's "yes" to
thoughts of death raises the SAFETY flag, patient-reported, and e-mails reviewers at submit,
before anyone signs; the sign-off keeps what the patient entered beside any correction."""

import datetime as dt

import pgtrigger
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from intake.models import InvitationStatus, SelfEntry
from screening.models import EnteredBy, Flag, FlagEvent, FlagEventAction, FlagKind, Visit
from tests.factories import ANSWERS, PatientFactory
from tests.integration.self_entry_setup import invite, open_and_confirm, patient_answers


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician)


def _submit(client, clinician, patient, answers, mode="tablet"):
    client.force_login(clinician)
    link, _, invitation = invite(client, patient, mode)
    browser = Client()
    open_and_confirm(browser, link, patient)
    response = browser.post(link, patient_answers(answers))
    assert response.status_code == 302
    return browser, browser.get(response["Location"]), invitation


@pytest.mark.django_db(transaction=True)
def test_death_thoughts_yes_raises_a_patient_reported_safety_flag_and_emails_at_submit(
    client, clinician, reviewer, patient
):
    _, page, invitation = _submit(client, clinician, patient, ANSWERS["safety"])
    text = page.content.decode()
    assert "988" in text
    assert "911" in text
    assert "Please tell the staff at the desk now" in text
    flag = Flag.objects.get(patient=patient, kind=FlagKind.SAFETY)
    assert flag.patient_reported is True
    assert SelfEntry.objects.get(invitation=invitation).signed_at is None
    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    assert patient.family_name not in mail.outbox[0].body
    assert patient.mrn not in mail.outbox[0].body
    client.force_login(reviewer)
    queue = client.get(reverse("review:queue")).content.decode()
    assert reverse("review:flag", args=[flag.pk]) in queue
    assert "Patient-reported" in queue


@pytest.mark.django_db(transaction=True)
def test_link_mode_crisis_page_does_not_send_the_patient_to_a_desk(client, clinician, patient):
    _, page, _ = _submit(client, clinician, patient, ANSWERS["safety"], mode="link")
    text = page.content.decode()
    assert "988" in text
    assert "tell the staff at the desk" not in text


@pytest.mark.django_db(transaction=True)
def test_clinic_crisis_text_replaces_the_built_in_one(client, clinician, patient, settings):
    settings.SELF_ENTRY_CRISIS_TEXT = "Call the Riverside crisis team on 555-0100."
    _, page, _ = _submit(client, clinician, patient, ANSWERS["safety"])
    assert "Riverside crisis team" in page.content.decode()


@pytest.mark.django_db
def test_no_death_thoughts_shows_thanks_without_crisis_text(client, clinician, patient):
    _, page, _ = _submit(client, clinician, patient, ANSWERS["comorbid"])
    text = page.content.decode()
    assert "Thank you" in text
    assert "988" not in text
    assert "depression" not in text.lower()  # no classification shown


@pytest.mark.django_db
def test_sign_off_without_corrections_names_the_signer_and_keeps_the_visit(
    client, clinician, patient
):
    _submit(client, clinician, patient, ANSWERS["comorbid"])
    entry = SelfEntry.objects.get(invitation__patient=patient)
    waiting = client.get(reverse("intake:waiting")).content.decode()
    assert reverse("intake:self_entry", args=[entry.pk]) in waiting
    patient_page = client.get(patient.get_absolute_url()).content.decode()
    assert 'data-testid="patient-waiting"' in patient_page
    assert reverse("intake:self_entry", args=[entry.pk]) in patient_page
    page = client.get(reverse("intake:self_entry", args=[entry.pk])).content.decode()
    assert "The patient entered" in page
    response = client.post(reverse("intake:self_entry", args=[entry.pk]), {"reason": ""})
    assert response.status_code == 302
    entry.refresh_from_db()
    visit = Visit.objects.get(patient=patient)
    assert (entry.signed_by, entry.signed_visit) == (clinician, None)
    assert (visit.entered_by, visit.clinician) == (EnteredBy.PATIENT, clinician)
    assert entry.invitation.status == InvitationStatus.SIGNED
    kinds = set(Flag.objects.filter(patient=patient).values_list("kind", flat=True))
    assert kinds == {FlagKind.ASSESS_DEPRESSION, FlagKind.ASSESS_BACK_PAIN}
    assert (
        reverse("intake:self_entry", args=[entry.pk])
        not in client.get(reverse("intake:waiting")).content.decode()
    )
    patient_page = client.get(patient.get_absolute_url()).content.decode()
    assert 'data-testid="patient-waiting"' not in patient_page
    visit_page = client.get(visit.get_absolute_url()).content.decode()
    assert "Entered by <strong>the patient</strong>" in visit_page
    assert f"Signed off by <strong>{clinician.username}</strong>" in visit_page
    assert Audit.objects.filter(action=AuditAction.SELF_ENTRY_SIGN, actor=clinician).exists()
    assert Audit.objects.filter(action=AuditAction.SELF_ENTRY_VIEW, actor=clinician).exists()


@pytest.mark.django_db
def test_corrections_need_a_reason_and_record_an_amendment_beside_the_patients_answers(
    client, clinician, patient
):
    _submit(client, clinician, patient, ANSWERS["back_pain"])
    entry = SelfEntry.objects.get(invitation__patient=patient)
    url = reverse("intake:self_entry", args=[entry.pk])
    fix = {"fix_backache_freq_30d": "once_a_month"}
    refused = client.post(url, {**fix, "reason": ""})
    assert refused.status_code == 400
    assert "Say why you corrected" in refused.content.decode()
    response = client.post(url, {**fix, "reason": "Patient meant once a month."})
    assert response.status_code == 302
    entry.refresh_from_db()
    amendment = entry.signed_visit
    assert entry.answers["backache_freq_30d"] == "almost_every_day"  # as the patient entered
    assert entry.corrections == {"backache_freq_30d": "once_a_month"}
    assert (amendment.amends, amendment.entered_by, amendment.clinician) == (
        entry.visit,
        EnteredBy.PATIENT,
        clinician,
    )
    assert (amendment.back_pain, amendment.amendment_reason) == (
        False,
        "Patient meant once a month.",
    )
    page = client.get(url).content.decode()
    assert "Corrections" in page
    assert "Almost every day" in page
    assert "Once a month" in page


@pytest.mark.django_db
def test_correction_that_asks_more_questions_needs_their_answers(client, clinician, patient):
    _submit(client, clinician, patient, ANSWERS["negative"])
    entry = SelfEntry.objects.get(invitation__patient=patient)
    url = reverse("intake:self_entry", args=[entry.pk])
    response = client.post(url, {"fix_da_sad_2wk": "yes", "reason": "Misread."})
    assert response.status_code == 400
    assert "this question is asked" in response.content.decode()
    assert SelfEntry.objects.get(pk=entry.pk).signed_at is None


@pytest.mark.django_db
def test_sign_off_attaches_to_an_open_flag_as_a_clinician_visit_would(client, clinician, patient):
    _submit(client, clinician, patient, ANSWERS["back_pain"])
    first = Flag.objects.get(patient=patient)
    _submit(client, clinician, patient, ANSWERS["back_pain"])
    assert Flag.objects.filter(patient=patient).count() == 1
    assert FlagEvent.objects.filter(flag=first, action=FlagEventAction.ATTACHED).count() == 1


@pytest.mark.django_db
def test_unsigned_self_entry_older_than_a_day_is_marked_overdue(client, clinician, patient):
    _submit(client, clinician, patient, ANSWERS["negative"])
    page = client.get(reverse("intake:waiting")).content.decode()
    assert 'data-testid="overdue"' not in page
    with pgtrigger.ignore("intake.SelfEntry:selfentry_answers_immutable"):
        SelfEntry.objects.update(submitted_at=timezone.now() - dt.timedelta(hours=25))
    page = client.get(reverse("intake:waiting")).content.decode()
    assert 'data-testid="overdue"' in page
    page = client.get(reverse("intake:invitations", args=[patient.pk])).content.decode()
    assert 'data-testid="overdue"' in page


@pytest.mark.django_db
def test_what_the_patient_entered_cannot_be_changed_in_the_database(client, clinician, patient):
    from django.db import connection

    _submit(client, clinician, patient, ANSWERS["negative"])
    entry = SelfEntry.objects.get(invitation__patient=patient)
    with (
        pytest.raises(Exception, match="Cannot update rows from intake_selfentry"),
        connection.cursor() as c,
    ):
        c.execute("UPDATE intake_selfentry SET answers = '{}' WHERE id = %s", [entry.pk])
