"""What recording a visit takes, shared by every service that records one (a form's submit, an
amendment, an import): the patient's lock, the classified visit, its flags opened or attached, and
the safety e-mail once the transaction commits. Callers hold the transaction and write the audit."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import Actor
from patients.models import Patient
from screening import criteria, flags, questionnaire
from screening.models import EnteredBy, Flag, FlagEvent, FlagEventAction, FlagStatus, Visit
from screening.notifications import notify_safety_flag
from screening.questionnaire import CovariateValue


class SubmissionOfAnotherPatient(Exception):
    """The form's submission id already recorded a visit of another patient (a form copied
    between patients' tabs, or altered): nothing is recorded for this one."""


def lock_and_find_earlier(patient: Patient, submission_id: uuid.UUID) -> Visit | None:
    """Take the patient's lock, then find the visit an earlier submit of the same form recorded
    (double click, reload, back), if any; raises SubmissionOfAnotherPatient when that visit is
    another patient's."""
    # Visits of one patient are recorded one at a time, so "one open flag per kind" is decided
    # on committed data; visits of different patients never wait for each other.
    Patient.objects.select_for_update().filter(pk=patient.pk).order_by().values_list("pk").get()
    # Ids only, unordered: on the common path nothing is found, and this runs on every submit.
    found = list(
        Visit.objects.filter(submission_id=submission_id)
        .order_by()
        .values_list("pk", "patient_id")[:1]
    )
    if not found:
        return None
    visit_id, patient_id = found[0]
    if patient_id != patient.pk:
        raise SubmissionOfAnotherPatient(f"submission {submission_id} recorded visit {visit_id}")
    return Visit.objects.get(pk=visit_id)


@dataclass(frozen=True)
class Classified:
    """A visit built with its classification, not yet saved, and the flags its result raises."""

    visit: Visit
    raised: tuple[flags.FlagSpec, ...]


def classified_visit(
    *,
    patient: Patient,
    clinician_id: int,
    answers: Mapping[str, object],
    covariates: Mapping[str, CovariateValue],
    visit_at: datetime,
    submission_id: uuid.UUID,
    amends: Visit | None = None,
    amendment_reason: str = "",
    entered_by: str = EnteredBy.CLINICIAN,
) -> Classified:
    """The visit as it will be stored: answers as asked, covariates, result and criteria version;
    raises criteria.InvalidAnswers or ValueError for an unknown covariate."""
    unknown = set(covariates) - set(questionnaire.COVARIATE_KEYS)
    if unknown:
        raise ValueError(f"unknown covariates: {sorted(unknown)}")
    # Unasked items are stored NULL whatever the caller sent (CRITERIA.md section 3, item 4).
    stored = criteria.strip_unasked(criteria.validate(answers))
    result = criteria.classify(stored)
    visit = Visit(
        patient=patient,
        clinician_id=clinician_id,
        visit_at=visit_at,
        submission_id=submission_id,
        amends=amends,
        amendment_reason=amendment_reason,
        entered_by=entered_by,
        **stored,
        **dict(covariates),
        **result.as_dict(),
        criteria_version=criteria.CRITERIA_VERSION,
    )
    return Classified(visit, flags.flags_for(stored, result))


def open_or_attach(
    *,
    patient: Patient,
    visit: Visit,
    raised: tuple[flags.FlagSpec, ...],
    actor: Actor,
    by_visit: bool = True,
    patient_reported: bool = False,
) -> dict[flags.FlagKind, int]:
    """For each raised kind, the id of the patient's one unresolved flag, opened or attached to;
    flags a patient's own answers open are marked patient-reported.

    `by_visit` False: a recorded instrument raised them, so their events name no visit (the
    visit's page must not claim them) and `visit` is only the anchor a new flag needs."""
    if not raised:
        return {}
    # The row locks also wait for a reviewer's transition in flight; if it resolves a flag, the
    # re-checked WHERE clause drops it and a new flag opens (flag_one_open_per_kind).
    unresolved = {
        flag.kind: flag
        for flag in Flag.objects.select_for_update()
        .filter(patient=patient, kind__in=[spec.kind.value for spec in raised])
        .exclude(status=FlagStatus.RESOLVED)
        .order_by()
        .only("id", "kind", "priority")
    }
    now = timezone.now()
    opened = Flag.objects.bulk_create(
        Flag(
            patient=patient,
            visit=visit,
            kind=spec.kind.value,
            priority=int(spec.priority),
            reason=spec.reason,
            patient_reported=patient_reported,
            opened_at=now,
        )
        for spec in raised
        if spec.kind.value not in unresolved
    )
    cause = visit if by_visit else None
    events = [event(flag, FlagEventAction.OPENED, cause, actor, flag.reason) for flag in opened]
    for spec in raised:
        flag = unresolved.get(spec.kind.value)
        if flag is None:
            continue
        events.append(event(flag, FlagEventAction.ATTACHED, cause, actor, spec.reason))
        merged = flags.merge_priority(flags.Priority(flag.priority), spec.priority)
        if merged > flag.priority:
            before = flags.Priority(flag.priority)
            Flag.objects.filter(pk=flag.pk).update(priority=int(merged), updated_at=now)
            note = f"Priority raised from {before.name.lower()} to {merged.name.lower()}."
            events.append(event(flag, FlagEventAction.PRIORITY_RAISED, cause, actor, note))
    FlagEvent.objects.bulk_create(events)
    return {flags.FlagKind(flag.kind): flag.pk for flag in [*opened, *unresolved.values()]}


def notify_safety_on_commit(flag_ids: Iterable[int]) -> None:
    """One safety e-mail per SAFETY flag, sent once the caller's transaction commits."""
    for flag_id in sorted(set(flag_ids)):
        # robust: a mail server outage must not turn a recorded visit into an error page
        transaction.on_commit(lambda flag_id=flag_id: notify_safety_flag(flag_id), robust=True)


def event(
    flag: Flag, action: FlagEventAction, visit: Visit | None, actor: Actor, note: str
) -> FlagEvent:
    return FlagEvent(flag=flag, actor=actor.user, action=action, visit=visit, note=note)
