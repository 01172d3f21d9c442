"""At the moment of risk (issue 16, point 3): the visit that raises SAFETY offers the ASQ against
that flag; an ASQ positive shows its banner on the instrument's page and the case page and never
closes the flag; a PHQ-9 with item 9 endorsed raises or joins SAFETY and e-mails on commit."""

import pytest
from django.core import mail
from django.urls import reverse

from screening.models import Flag, FlagKind, FlagPriority, FlagStatus, RecordedInstrument, Visit
from tests.factories import ANSWERS, FlagFactory, PatientFactory, VisitFactory
from tests.integration.test_instruments_recording import form_data, new_url
from tests.integration.test_screening_form import form_data as visit_form_data

ASQ_ACUTE = {"asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "refused"}
ASQ_NON_ACUTE = {**ASQ_ACUTE, "asq_5": "no"}
PHQ9_ITEM9 = {**{f"phq9_{n}": "0" for n in range(1, 9)}, "phq9_9": "2"}
PHQ9_ITEM9["phq9_difficulty"] = "somewhat_difficult"


def _asq_against_safety(client, answers):
    flag = FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT)
    response = client.post(new_url(flag.patient, "asq", flag), form_data(answers, flag))
    return flag, response


@pytest.mark.django_db
def test_a_visit_raising_safety_offers_the_asq_against_its_flag(client, clinician):
    patient = PatientFactory(created_by=clinician)
    client.force_login(clinician)

    response = client.post(
        reverse("screening:visit_new", args=[patient.pk]),
        visit_form_data(ANSWERS["safety"]),
        follow=True,
    )

    flag = Flag.objects.get(patient=patient, kind=FlagKind.SAFETY)
    page = response.content.decode()
    assert "Ask the ASQ now" in page
    assert f"{new_url(patient, 'asq')}?flag={flag.pk}" in page
    form = client.get(f"{new_url(patient, 'asq')}?flag={flag.pk}").content.decode()
    assert f"Recorded against case #{flag.pk}: safety: thoughts of death." in form
    assert f'name="flag" value="{flag.pk}"' in form


@pytest.mark.django_db
def test_a_visit_without_safety_does_not_offer_the_asq(client, clinician):
    visit = VisitFactory(answers=ANSWERS["back_pain"])
    client.force_login(clinician)

    page = client.get(reverse("screening:visit", args=[visit.pk])).content.decode()

    assert "Ask the ASQ now" not in page


@pytest.mark.django_db
def test_acute_positive_shows_do_not_leave_alone_on_the_instrument_and_case_page(client, reviewer):
    client.force_login(reviewer)
    flag, response = _asq_against_safety(client, ASQ_ACUTE)

    page = client.get(response["Location"]).content.decode()
    assert 'data-banner="acute_positive"' in page
    assert "Do not leave the patient alone: emergency evaluation now" in page
    for step in (
        "Stay with the patient",
        "Remove anything",
        "STAT safety evaluation",
        "Notify the reviewer",
    ):
        assert step in page
    case = client.get(reverse("review:flag", args=[flag.pk])).content.decode()
    assert "Do not leave the patient alone: emergency evaluation now" in case
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN  # the ASQ never closes it by itself


@pytest.mark.django_db
def test_non_acute_positive_asks_for_a_brief_safety_assessment_before_leaving(client, reviewer):
    client.force_login(reviewer)
    flag, response = _asq_against_safety(client, ASQ_NON_ACUTE)

    page = client.get(response["Location"]).content.decode()
    assert "A brief suicide safety assessment is needed before the patient leaves" in page
    assert "Do not leave the patient alone" not in page
    case = client.get(reverse("review:flag", args=[flag.pk])).content.decode()
    assert "A brief suicide safety assessment is needed before the patient leaves" in case
    assert '<option value="safety_assessed" selected>' not in case
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_phq9_item_9_raises_an_urgent_safety_flag_and_emails_reviewers_on_commit(
    client, clinician, reviewer
):
    depression = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(clinician)

    response = client.post(
        new_url(depression.patient, "phq9", depression), form_data(PHQ9_ITEM9, depression)
    )

    safety = Flag.objects.get(patient=depression.patient, kind=FlagKind.SAFETY)
    assert safety.priority == FlagPriority.URGENT
    assert "PHQ-9 item 9" in safety.reason
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert reverse("review:flag", args=[safety.pk]) in mail.outbox[0].body
    page = client.get(response["Location"]).content.decode()
    assert "PHQ-9 item 9: thoughts of death or self-harm were endorsed" in page
    assert f"Safety case #{safety.pk} is open" in page
    assert "1 reviewer was e-mailed" in page
    # the visit's page does not claim a flag the PHQ-9 raised
    visit_page = client.get(reverse("screening:visit", args=[depression.visit_id])).content
    assert b"Ask the ASQ now" not in visit_page
    queue = client.get(reverse("review:queue"))
    assert queue.status_code == 403  # a clinician has no queue; the reviewer sees it first


@pytest.mark.django_db(transaction=True)
def test_phq9_item_9_joins_the_open_safety_flag_and_emails_again(client, clinician, reviewer):
    safety = FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT)
    client.force_login(clinician)

    client.post(new_url(safety.patient, "phq9"), form_data(PHQ9_ITEM9))

    assert Flag.objects.filter(kind=FlagKind.SAFETY).count() == 1
    assert list(safety.events.values_list("action", flat=True)) == ["attached"]
    assert len(mail.outbox) == 1
    assert RecordedInstrument.objects.get().flag_id is None


@pytest.mark.django_db(transaction=True)
def test_phq9_without_item_9_raises_nothing_and_sends_nothing(client, clinician, reviewer):
    patient = VisitFactory().patient
    client.force_login(clinician)

    client.post(new_url(patient, "phq9"), form_data({**PHQ9_ITEM9, "phq9_9": "0"}))

    assert RecordedInstrument.objects.count() == 1
    assert not Flag.objects.filter(kind=FlagKind.SAFETY).exists()
    assert mail.outbox == []
    assert Visit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_case_of_a_safety_flag_a_phq9_raised_says_so(client, reviewer):
    patient = VisitFactory().patient
    client.force_login(reviewer)
    client.post(new_url(patient, "phq9"), form_data(PHQ9_ITEM9))
    safety = Flag.objects.get(kind=FlagKind.SAFETY)

    page = client.get(reverse("review:flag", args=[safety.pk])).content.decode()

    assert "The screening visit before it (a recorded PHQ-9 raised this flag)" in page
    assert "PHQ-9 item 9 (thoughts that you would be better off dead" in page
    assert "Record the ASQ" in page
