"""screening.services.instruments: one transaction writes the recorded instrument with its result
and rules version, the flag's event, the SAFETY flag a PHQ-9 item 9 calls for, and the audit row
(issue 16, points 2 and 3)."""

import uuid

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import Audit, AuditAction
from audit.services import Actor
from screening.instruments import RULES_VERSION, Instrument
from screening.models import Flag, FlagEvent, FlagKind, FlagPriority, FlagStatus, RecordedInstrument
from screening.services.instruments import (
    FlagNotMeasurable,
    InstrumentAlreadyAmended,
    NoVisitYet,
    SubmissionOfAnotherPatient,
    amend_instrument,
    record_instrument,
)
from tests.factories import FlagFactory, PatientFactory, VisitFactory

PHQ9_12 = {
    f"phq9_{n}": level for n, level in zip(range(1, 10), (2, 2, 2, 2, 1, 1, 1, 1, 0), strict=True)
}
PHQ9_12["phq9_difficulty"] = "somewhat_difficult"
PHQ9_ITEM9 = {**{f"phq9_{n}": 0 for n in range(1, 9)}, "phq9_9": 1, "phq9_difficulty": None}
ASQ_ACUTE = {"asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes"}


def _record(user, patient, instrument, answers, **kwargs):
    return record_instrument(
        patient=patient,
        instrument=instrument,
        answers=answers,
        administered_at=timezone.now(),
        submission_id=kwargs.pop("submission_id", uuid.uuid4()),
        actor=Actor(user),
        **kwargs,
    )


def test_a_phq9_against_its_flag_writes_one_record_event_and_audit_row(clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)

    done = _record(clinician, flag.patient, Instrument.PHQ9, PHQ9_12, flag=flag)

    row = RecordedInstrument.objects.get()
    assert (done.created, row.flag_id, row.instrument, row.positive) == (
        True,
        flag.pk,
        "phq9",
        True,
    )
    assert row.result == {
        "score": 12,
        "band": "moderate",
        "positive": True,
        "mdd_algorithm": False,
        "safety": False,
    }
    assert row.rules_version == RULES_VERSION
    assert row.answers["phq9_difficulty"] == "somewhat_difficult"
    events = list(FlagEvent.objects.filter(flag=flag).values_list("action", "note"))
    assert events == [
        ("measured", "PHQ-9 recorded: Score 12 of 27 (moderate): positive (score 10 or more).")
    ]
    audit = Audit.objects.get(action=AuditAction.INSTRUMENT_RECORD)
    assert (audit.patient_id, audit.detail["instrument"]) == (flag.patient_id, "phq9")
    assert not Flag.objects.filter(kind=FlagKind.SAFETY).exists()


def test_the_same_submission_records_once(clinician):
    patient = VisitFactory().patient
    submission = uuid.uuid4()

    first = _record(clinician, patient, Instrument.ASQ, ASQ_ACUTE, submission_id=submission)
    again = _record(clinician, patient, Instrument.ASQ, ASQ_ACUTE, submission_id=submission)

    assert (first.created, again.created, again.recorded.pk) == (True, False, first.recorded.pk)
    assert RecordedInstrument.objects.count() == 1
    assert Audit.objects.filter(action=AuditAction.INSTRUMENT_RECORD).count() == 1


def test_a_submission_of_another_patient_records_nothing(clinician):
    submission = uuid.uuid4()
    _record(clinician, VisitFactory().patient, Instrument.ASQ, ASQ_ACUTE, submission_id=submission)

    with pytest.raises(SubmissionOfAnotherPatient):
        _record(
            clinician, VisitFactory().patient, Instrument.ASQ, ASQ_ACUTE, submission_id=submission
        )
    assert RecordedInstrument.objects.count() == 1


def test_unasked_answers_are_stored_null(clinician):
    patient = VisitFactory().patient
    negative = {"asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes"}

    done = _record(clinician, patient, Instrument.ASQ, negative)

    assert done.recorded.answers["asq_5"] is None
    assert done.recorded.result == {"result": "negative", "positive": False, "acute": False}


@pytest.mark.django_db(transaction=True)
def test_phq9_item_9_opens_an_urgent_safety_flag_and_emails_reviewers_on_commit(
    clinician, reviewer
):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)

    done = _record(clinician, flag.patient, Instrument.PHQ9, PHQ9_ITEM9, flag=flag)

    safety = Flag.objects.get(patient=flag.patient, kind=FlagKind.SAFETY)
    assert (done.safety_flag_id, safety.priority) == (safety.pk, FlagPriority.URGENT)
    assert "PHQ-9 item 9" in safety.reason
    assert safety.events.get().visit_id is None  # the visit's page must not claim it
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert (
        Audit.objects.get(action=AuditAction.INSTRUMENT_RECORD).detail["safety_flag"] == safety.pk
    )


@pytest.mark.django_db(transaction=True)
def test_phq9_item_9_joins_the_open_safety_flag(clinician, reviewer):
    open_safety = FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT)

    done = _record(clinician, open_safety.patient, Instrument.PHQ9, PHQ9_ITEM9)

    assert done.safety_flag_id == open_safety.pk
    assert Flag.objects.filter(kind=FlagKind.SAFETY).count() == 1
    assert list(open_safety.events.values_list("action", flat=True)) == ["attached"]
    assert len(mail.outbox) == 1


def test_a_flag_of_another_kind_or_patient_or_resolved_is_refused(clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_BACK_PAIN)
    with pytest.raises(FlagNotMeasurable, match="takes the Chronic low back pain"):
        _record(clinician, flag.patient, Instrument.PHQ9, PHQ9_12, flag=flag)
    with pytest.raises(FlagNotMeasurable, match="another patient"):
        _record(clinician, VisitFactory().patient, Instrument.LBP_PEG, {}, flag=flag)
    Flag.objects.filter(pk=flag.pk).update(
        status=FlagStatus.RESOLVED, outcome="not_present", resolved_at=timezone.now()
    )
    lbp = {
        "lbp_duration": "1_5_years",
        "lbp_frequency": "every_day_or_nearly",
        "peg_pain": 6,
        "peg_enjoyment": 7,
        "peg_activity": 7,
    }
    with pytest.raises(FlagNotMeasurable, match="already resolved"):
        _record(clinician, flag.patient, Instrument.LBP_PEG, lbp, flag=flag)
    assert not RecordedInstrument.objects.exists()


def test_a_safety_finding_needs_a_visit_to_point_to(clinician):
    with pytest.raises(NoVisitYet):
        _record(clinician, PatientFactory(), Instrument.PHQ9, PHQ9_ITEM9)
    assert not RecordedInstrument.objects.exists()


def test_an_amendment_keeps_the_original_and_needs_a_reason(clinician):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    original = _record(clinician, flag.patient, Instrument.PHQ9, PHQ9_12, flag=flag).recorded
    corrected = {**PHQ9_12, "phq9_1": 0, "phq9_2": 0}

    def amend(reason):
        return amend_instrument(
            original=original,
            answers=corrected,
            administered_at=original.administered_at,
            submission_id=uuid.uuid4(),
            reason=reason,
            actor=Actor(clinician),
        )

    with pytest.raises(ValueError, match="reason"):
        amend("  ")
    done = amend("item 1 and 2 misheard")

    assert (done.recorded.amends_id, done.recorded.flag_id) == (original.pk, flag.pk)
    assert done.recorded.result["score"] == 8
    original.refresh_from_db()
    assert original.result["score"] == 12
    assert Audit.objects.get(action=AuditAction.INSTRUMENT_AMEND).detail["amends"] == original.pk
    with pytest.raises(InstrumentAlreadyAmended):
        amend("again")
