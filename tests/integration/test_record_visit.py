"""record_visit and amend_visit: one transaction writes the visit, its flags and the audit row."""

import threading
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connections
from django.utils import timezone

from audit.models import Audit, AuditAction
from audit.services import Actor
from screening import criteria
from screening.models import Flag, FlagEvent, FlagEventAction, FlagPriority, FlagStatus, Visit
from screening.services.visits import VisitAlreadyAmended, amend_visit, record_visit
from tests.conftest import make_user
from tests.factories import ANSWERS, PatientFactory


def _record(patient: Any, user: Any, answers: str | dict[str, Any], **extra: Any) -> Any:
    return record_visit(
        patient=patient,
        answers=ANSWERS[answers] if isinstance(answers, str) else answers,
        covariates=extra.pop("covariates", {}),
        visit_at=extra.pop("visit_at", timezone.now()),
        submission_id=extra.pop("submission_id", uuid.uuid4()),
        actor=Actor(user=user, ip_address="127.0.0.1"),
    ).visit


def _amend(original: Visit, user: Any, answers: str) -> Visit:
    return amend_visit(
        original=original,
        answers=ANSWERS[answers],
        covariates={},
        visit_at=original.visit_at,
        submission_id=uuid.uuid4(),
        reason="Answers misheard.",
        actor=Actor(user=user),
    ).visit


def _open(patient: Any) -> list[tuple[str, int]]:
    flags = Flag.objects.filter(patient=patient).exclude(status=FlagStatus.RESOLVED)
    return sorted(flags.values_list("kind", "priority"))


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician)


@pytest.mark.django_db
def test_visit_stores_answers_result_version_and_clinician_when_recorded(patient, clinician):
    visit = _record(patient, clinician, "comorbid", covariates={"smoking": "never"})

    visit.refresh_from_db()
    assert visit.clinician == clinician
    assert visit.da_death_thoughts is False
    assert visit.an_lost_interest_2wk is None  # path A entered, so path B was not asked
    assert (visit.back_pain, visit.major_depression, visit.path, visit.symptom_count) == (
        True,
        True,
        "depressed_affect",
        4,
    )
    assert visit.criteria_version == criteria.CRITERIA_VERSION
    assert visit.smoking == "never"
    audit = Audit.objects.get(action=AuditAction.VISIT_RECORD)
    assert (audit.object_id, audit.patient_id, audit.actor_id) == (
        str(visit.pk),
        patient.pk,
        clinician.pk,
    )
    assert audit.detail["flags"] == ["assess_depression", "assess_back_pain"]


@pytest.mark.django_db
def test_unasked_answers_are_stored_null_when_the_caller_sends_them(patient, clinician):
    answers = {**ANSWERS["negative"], "da_tired": True, "an_tired": True}

    visit = _record(patient, clinician, answers)

    visit.refresh_from_db()
    assert (visit.da_tired, visit.an_tired) == (None, None)


@pytest.mark.django_db
def test_flags_open_with_an_opened_event_when_a_first_visit_meets_both_criteria(patient, clinician):
    visit = _record(patient, clinician, "comorbid")

    assert _open(patient) == [
        ("assess_back_pain", FlagPriority.COMORBID),
        ("assess_depression", FlagPriority.COMORBID),
    ]
    events = FlagEvent.objects.filter(visit=visit)
    assert sorted(events.values_list("action", flat=True)) == ["opened", "opened"]
    assert all("MIDUS, Yang et al. 2023" in event.note for event in events)


@pytest.mark.django_db
def test_later_visit_attaches_to_the_open_flag_when_it_raises_the_same_kind(patient, clinician):
    first = _record(patient, clinician, "back_pain")
    second = _record(patient, clinician, "back_pain")

    flag = Flag.objects.get(patient=patient)
    assert flag.visit == first
    assert list(flag.events.values_list("action", "visit")) == [
        ("opened", first.pk),
        ("attached", second.pk),
    ]


@pytest.mark.django_db
def test_priority_rises_with_an_event_when_an_attached_visit_is_comorbid(patient, clinician):
    _record(patient, clinician, "back_pain")
    comorbid = _record(patient, clinician, "comorbid")

    flag = Flag.objects.get(patient=patient, kind="assess_depression")
    assert flag.priority == FlagPriority.COMORBID
    raised = flag.events.get(action=FlagEventAction.PRIORITY_RAISED)
    assert raised.visit == comorbid
    assert raised.note == "Priority raised from routine to comorbid."


@pytest.mark.django_db
def test_priority_stays_when_an_attached_visit_raises_a_lower_one(patient, clinician):
    _record(patient, clinician, "comorbid")
    _record(patient, clinician, "back_pain")

    flag = Flag.objects.get(patient=patient, kind="assess_depression")
    assert flag.priority == FlagPriority.COMORBID
    assert not flag.events.filter(action=FlagEventAction.PRIORITY_RAISED).exists()


@pytest.mark.django_db
def test_a_new_flag_opens_when_the_earlier_one_was_resolved(patient, clinician):
    _record(patient, clinician, "back_pain")
    Flag.objects.update(
        status=FlagStatus.RESOLVED, outcome="not_present", resolved_at=timezone.now()
    )

    _record(patient, clinician, "back_pain")

    assert Flag.objects.filter(patient=patient).count() == 2
    assert _open(patient) == [("assess_depression", FlagPriority.ROUTINE)]


@pytest.mark.django_db
def test_reviewers_get_a_link_without_phi_on_commit_when_a_visit_raises_a_safety_flag(
    patient, clinician, reviewer, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    away = make_user("away_reviewer", "reviewer")
    away.is_active = False
    away.save()
    no_mail = make_user("no_mail_reviewer", "reviewer")
    no_mail.email = ""
    no_mail.save()

    with django_capture_on_commit_callbacks(execute=True):
        _record(patient, clinician, "safety")
        assert mailoutbox == []  # nothing leaves before the transaction commits

    flag = Flag.objects.get(patient=patient, kind="safety")
    assert flag.priority == FlagPriority.URGENT
    assert sorted(address for message in mailoutbox for address in message.to) == [
        admin_user.email,
        reviewer.email,
    ]
    message = mailoutbox[0]
    assert f"http://127.0.0.1:8000/review/{flag.pk}/" in message.body
    for phi in (patient.given_name, patient.family_name, patient.mrn, str(patient.date_of_birth)):
        assert phi not in message.subject
        assert phi not in message.body


@pytest.mark.django_db
def test_no_email_is_sent_when_the_visit_raises_no_safety_flag(
    patient, clinician, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _record(patient, clinician, "comorbid")

    assert mailoutbox == []


@pytest.mark.django_db
def test_one_visit_is_recorded_when_the_same_form_is_submitted_twice(patient, clinician):
    submission = uuid.uuid4()

    first = _record(patient, clinician, "back_pain", submission_id=submission)
    again = record_visit(
        patient=patient,
        answers=ANSWERS["negative"],
        covariates={},
        visit_at=timezone.now(),
        submission_id=submission,
        actor=Actor(user=clinician),
    )

    assert (again.visit, again.created) == (first, False)
    assert Visit.objects.count() == 1
    assert FlagEvent.objects.count() == 1
    assert Audit.objects.filter(action=AuditAction.VISIT_RECORD).count() == 1


@pytest.mark.django_db
def test_nothing_is_written_when_the_audit_row_cannot_be_saved(
    patient, clinician, audit_store_down
):
    # The database refusing the last write of the transaction stands in for any failure.
    with pytest.raises(DatabaseError, match="permission denied for table audit_audit"):
        _record(patient, clinician, "safety")

    assert Visit.objects.count() == 0
    assert Flag.objects.count() == 0
    assert FlagEvent.objects.count() == 0


@pytest.mark.django_db
def test_amendment_points_to_the_original_and_is_audited_when_recorded(patient, clinician):
    original = _record(patient, clinician, "negative")

    amended = _amend(original, clinician, "back_pain")

    assert amended.amends == original
    assert amended.back_pain is True
    audit = Audit.objects.get(action=AuditAction.VISIT_AMEND)
    assert audit.object_id == str(amended.pk)
    assert audit.detail["amends"] == original.pk
    assert _open(patient) == [("assess_depression", FlagPriority.ROUTINE)]


@pytest.mark.django_db
def test_flags_stay_open_with_a_note_when_the_amendment_no_longer_raises_them(patient, clinician):
    original = _record(patient, clinician, "comorbid")

    amended = _amend(original, clinician, "back_pain")

    assert _open(patient) == [
        ("assess_back_pain", FlagPriority.COMORBID),
        ("assess_depression", FlagPriority.COMORBID),
    ]
    back_pain_flag = Flag.objects.get(kind="assess_back_pain")
    noted = back_pain_flag.events.get(action=FlagEventAction.NOTED)
    assert noted.visit == amended
    assert noted.note.startswith(f"Amended visit {amended.pk} (correcting visit {original.pk})")
    depression_flag = Flag.objects.get(kind="assess_depression")
    assert depression_flag.events.filter(action="attached", visit=amended).exists()
    assert not depression_flag.events.filter(action=FlagEventAction.NOTED).exists()


@pytest.mark.django_db
def test_amending_is_refused_when_the_visit_was_already_amended(patient, clinician):
    original = _record(patient, clinician, "negative")
    newer = _amend(original, clinician, "back_pain")

    with pytest.raises(VisitAlreadyAmended) as refused:
        _amend(original, clinician, "comorbid")

    assert refused.value.newest == newer
    assert Visit.objects.count() == 2


def _in_threads(count: int, work: Any) -> list[Any]:
    """Run `work(i)` in `count` threads that start together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as error:  # reported to the test below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_one_flag_per_kind_stays_open_when_two_visits_are_recorded_at_once():
    clinician = make_user("racer", "clinician")
    patient = PatientFactory(created_by=clinician)

    results = _in_threads(2, lambda _: _record(patient, clinician, "comorbid"))

    assert all(isinstance(result, Visit) for result in results), results
    assert _open(patient) == [
        ("assess_back_pain", FlagPriority.COMORBID),
        ("assess_depression", FlagPriority.COMORBID),
    ]
    actions = sorted(FlagEvent.objects.values_list("flag__kind", "action"))
    assert actions == [
        ("assess_back_pain", "attached"),
        ("assess_back_pain", "opened"),
        ("assess_depression", "attached"),
        ("assess_depression", "opened"),
    ]


@pytest.mark.django_db(transaction=True)
def test_one_visit_is_recorded_when_the_same_submission_arrives_twice_at_once():
    clinician = make_user("double_clicker", "clinician")
    patient = PatientFactory(created_by=clinician)
    submission = uuid.uuid4()

    results = _in_threads(
        2, lambda _: _record(patient, clinician, "safety", submission_id=submission)
    )

    assert all(isinstance(result, Visit) for result in results), results
    assert results[0] == results[1]
    assert Visit.objects.count() == 1
    assert Flag.objects.count() == 1


@pytest.mark.django_db
def test_demo_patients_cover_every_outcome_and_a_second_load_adds_nothing(clinician):
    from screening.demo import load_demo_patients

    first = load_demo_patients(clinician)
    counts = (Visit.objects.count(), Flag.objects.count(), FlagEvent.objects.count())
    second = load_demo_patients(clinician)

    assert (first, second) == (8, 0)
    assert (Visit.objects.count(), Flag.objects.count(), FlagEvent.objects.count()) == counts
    visits = Visit.objects.all()
    assert visits.filter(path="depressed_affect", major_depression=True).exists()
    assert visits.filter(path="anhedonia", major_depression=True).exists()
    assert visits.filter(back_pain=True, major_depression=False).exists()
    assert visits.filter(back_pain=True, major_depression=True).exists()
    assert visits.filter(safety_flag=True).exists()
    assert visits.filter(path="none", back_pain=False).exists()
    assert visits.filter(amends__isnull=False).count() == 1
    assert Flag.objects.filter(kind="safety").count() == 1
