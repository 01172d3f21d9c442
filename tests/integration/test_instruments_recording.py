"""Recording an instrument through its form (issue 16, point 2): field names are the keys, one
submit writes one record, its flag event and audit row; a bad submit keeps every answer and
writes nothing; the skip rule holds without JavaScript; corrections are amendments with a reason.
"""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from screening.models import FlagEvent, FlagKind, RecordedInstrument
from tests.factories import FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

PHQ9_12 = {
    "phq9_1": "2",
    "phq9_2": "2",
    "phq9_3": "2",
    "phq9_4": "2",
    "phq9_5": "1",
    "phq9_6": "1",
    "phq9_7": "1",
    "phq9_8": "1",
    "phq9_9": "0",
    "phq9_difficulty": "very_difficult",
}
ASQ_NEGATIVE = {"asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no"}
LBP_CHRONIC = {
    "lbp_duration": "1_5_years",
    "lbp_frequency": "at_least_half_the_days",
    "peg_pain": "6",
    "peg_enjoyment": "5",
    "peg_activity": "5",
}


def new_url(patient, instrument, flag=None):
    url = reverse("screening:instrument_new", args=[patient.pk, instrument])
    return f"{url}?flag={flag.pk}" if flag is not None else url


def form_data(answers, flag=None, **extra):
    data = {
        "submission_id": str(uuid.uuid4()),
        "administered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "flag": str(flag.pk) if flag is not None else "",
        **answers,
    }
    return data | extra


def test_the_form_names_each_field_by_its_key_with_labelled_radio_groups(client, clinician):
    patient = VisitFactory().patient
    client.force_login(clinician)

    page = client.get(new_url(patient, "phq9")).content.decode()

    for key in PHQ9_12:
        assert f'name="{key}"' in page
    assert "<legend" in page
    assert "Little interest or pleasure in doing things" in page
    assert "Over the last 2 weeks, how often have you been bothered" in page
    assert "data-instrument-skip" in page
    assert "<script>" not in page
    assert "Ask this only if any problem above bothered the patient" in page  # no-JS hint


def test_a_phq9_against_its_flag_writes_one_record_one_event_and_one_audit_row(client, clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(clinician)

    response = client.post(new_url(flag.patient, "phq9", flag), form_data(PHQ9_12, flag))

    recorded = RecordedInstrument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:instrument", args=[recorded.pk])
    assert (recorded.flag_id, recorded.result["score"], recorded.positive) == (flag.pk, 12, True)
    assert recorded.clinician == clinician
    assert list(FlagEvent.objects.filter(flag=flag).values_list("action", flat=True)) == [
        "measured"
    ]
    assert (
        Audit.objects.filter(action=AuditAction.INSTRUMENT_RECORD, patient=flag.patient).count()
        == 1
    )
    page = client.get(response["Location"]).content.decode()
    assert "PHQ-9 recorded." in page
    assert "Score 12 of 27 (moderate): positive (score 10 or more)" in page
    assert "Feeling down, depressed, or hopeless" in page  # the answers as recorded


def test_a_double_submit_records_one_instrument(client, clinician):
    patient = VisitFactory().patient
    client.force_login(clinician)
    data = form_data(LBP_CHRONIC)

    first = client.post(new_url(patient, "lbp_peg"), data)
    second = client.post(new_url(patient, "lbp_peg"), data, follow=True)

    assert RecordedInstrument.objects.count() == 1
    assert first["Location"] == second.redirect_chain[-1][0]
    assert "This form had already been submitted" in second.content.decode()
    assert Audit.objects.filter(action=AuditAction.INSTRUMENT_RECORD).count() == 1


def test_a_bad_submit_keeps_every_answer_names_each_missing_one_and_writes_nothing(
    client, clinician
):
    patient = VisitFactory().patient
    client.force_login(clinician)
    partial = {key: value for key, value in PHQ9_12.items() if key not in ("phq9_4", "phq9_7")}

    response = client.post(new_url(patient, "phq9"), form_data(partial))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 answers need attention; nothing was saved" in page
    assert page.count("Choose an answer: every question of the PHQ-9 is required.") >= 2
    assert 'href="#id_phq9_4_0"' in page
    assert 'href="#id_phq9_7_0"' in page
    assert 'name="phq9_1" value="2"  id="id_phq9_1_2" checked' in page.replace("\n", " ")
    assert 'value="very_difficult"  id="id_phq9_difficulty_2" checked' in page.replace("\n", " ")
    assert not RecordedInstrument.objects.exists()
    assert not Audit.objects.filter(action=AuditAction.INSTRUMENT_RECORD).exists()


def test_asq_question_5_is_required_when_the_screen_is_positive(client, clinician):
    patient = VisitFactory().patient
    client.force_login(clinician)

    response = client.post(new_url(patient, "asq"), form_data({**ASQ_NEGATIVE, "asq_2": "refused"}))

    assert "question 5 must be asked because the patient answered yes to, or refused" in (
        response.content.decode()
    )
    assert not RecordedInstrument.objects.exists()


def test_an_answer_the_skip_rule_did_not_ask_is_dropped_on_the_server(client, clinician):
    patient = VisitFactory().patient
    client.force_login(clinician)
    zeros = {f"phq9_{n}": "0" for n in range(1, 10)}

    client.post(new_url(patient, "asq"), form_data({**ASQ_NEGATIVE, "asq_5": "yes"}))
    client.post(new_url(patient, "phq9"), form_data({**zeros, "phq9_difficulty": "very_difficult"}))

    asq, phq9 = (
        RecordedInstrument.objects.get(instrument=code).answers for code in ("asq", "phq9")
    )
    assert asq["asq_5"] is None
    assert phq9["phq9_difficulty"] is None


def test_a_value_the_radios_cannot_send_is_refused_with_its_question(client, clinician):
    patient = VisitFactory().patient
    client.force_login(clinician)

    response = client.post(
        new_url(patient, "lbp_peg"), form_data({**LBP_CHRONIC, "peg_pain": "11"})
    )

    assert "Select a valid choice. 11 is not one of the available choices." in (
        response.content.decode()
    )
    assert not RecordedInstrument.objects.exists()


def test_another_kinds_flag_is_refused_and_nothing_recorded(client, clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_BACK_PAIN)
    client.force_login(clinician)

    response = client.post(new_url(flag.patient, "phq9", flag), form_data(PHQ9_12, flag))

    assert response.status_code == 400
    page = response.content.decode()
    assert "takes the Chronic low back pain and PEG. Nothing was recorded." in page
    assert 'value="2"  id="id_phq9_1_2" checked' in page.replace("\n", " ")
    assert not RecordedInstrument.objects.exists()


def test_another_patients_flag_is_not_found(client, clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    other = VisitFactory().patient
    client.force_login(clinician)

    assert client.get(new_url(other, "phq9", flag)).status_code == 404
    assert (
        client.get(reverse("screening:instrument_new", args=[other.pk, "gad7"])).status_code == 404
    )


def test_a_patient_without_a_visit_is_told_to_screen_first(client, clinician):
    patient = PatientFactory()
    client.force_login(clinician)

    response = client.post(new_url(patient, "asq"), form_data(ASQ_NEGATIVE))

    assert "Record a screening visit first" in response.content.decode()
    assert not RecordedInstrument.objects.exists()


def test_the_patient_page_offers_all_three_and_lists_what_was_recorded(client, clinician):
    patient = VisitFactory().patient
    client.force_login(clinician)
    client.post(new_url(patient, "lbp_peg"), form_data(LBP_CHRONIC))

    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()

    for code in ("asq", "phq9", "lbp_peg"):
        assert reverse("screening:instrument_new", args=[patient.pk, code]) in page
    recorded = RecordedInstrument.objects.get()
    assert reverse("screening:instrument", args=[recorded.pk]) in page


def test_an_amendment_needs_a_reason_and_replaces_the_record(client, clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(clinician)
    client.post(new_url(flag.patient, "phq9", flag), form_data(PHQ9_12, flag))
    original = RecordedInstrument.objects.get()
    amend = reverse("screening:instrument_amend", args=[original.pk])
    assert 'value="2"  id="id_phq9_1_2" checked' in client.get(amend).content.decode().replace(
        "\n", " "
    )
    corrected = {**PHQ9_12, "phq9_1": "0"}

    refused = client.post(amend, form_data(corrected, flag))
    assert "Say why the answers are amended." in refused.content.decode()
    assert RecordedInstrument.objects.count() == 1

    done = client.post(amend, form_data(corrected, flag, amendment_reason="item 1 misheard"))
    newer = RecordedInstrument.objects.exclude(pk=original.pk).get()
    assert done["Location"] == reverse("screening:instrument", args=[newer.pk])
    assert (newer.amends_id, newer.flag_id, newer.result["score"]) == (original.pk, flag.pk, 10)
    assert Audit.objects.filter(action=AuditAction.INSTRUMENT_AMEND).count() == 1
    old_page = client.get(reverse("screening:instrument", args=[original.pk])).content.decode()
    assert "This record was amended" in old_page
    assert "item 1 misheard" in old_page
    assert client.get(amend)["Location"] == reverse("screening:instrument", args=[newer.pk])


def test_a_reviewer_and_an_admin_may_record_too(client, reviewer, admin_user):
    patient = VisitFactory().patient
    for user in (reviewer, admin_user):
        client.force_login(user)
        assert client.post(new_url(patient, "asq"), form_data(ASQ_NEGATIVE)).status_code == 302
    assert RecordedInstrument.objects.count() == 2
