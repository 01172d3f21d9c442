"""Recording and amending visits: the visit, its flags, their events and the audit row, in one
transaction each (DESIGN.md "What flows through the house"; CRITERIA.md section 7)."""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import Actor, record_audit
from patients.models import Patient
from screening import criteria, flags, questionnaire
from screening.models import (
    EnteredBy,
    Flag,
    FlagEvent,
    FlagEventAction,
    FlagKind,
    FlagStatus,
    Visit,
)
from screening.notifications import reviewer_addresses
from screening.questionnaire import CovariateValue
from screening.selectors import latest_visit_since, open_flags, safety_place
from screening.services._recording import (
    SubmissionOfAnotherPatient as SubmissionOfAnotherPatient,  # raised by record and amend
)
from screening.services._recording import (
    classified_visit,
    event,
    lock_and_find_earlier,
    notify_safety_on_commit,
    open_or_attach,
)


class VisitAlreadyAmended(Exception):
    """The visit has a newer amendment; only the newest visit of a chain may be amended."""

    def __init__(self, newest: Visit) -> None:
        super().__init__(f"visit {newest.amends_id} was already amended by visit {newest.pk}")
        self.newest = newest


class RecentVisitRecorded(Exception):
    """The patient already has a visit recorded within RECENT_VISIT_MINUTES; nothing was saved."""

    def __init__(self, recent: Visit) -> None:
        super().__init__(f"visit {recent.pk} was recorded for this patient a moment ago")
        self.recent = recent


@dataclass(frozen=True)
class Recorded:
    """The visit a submission produced; `created` is False when it had already been recorded."""

    visit: Visit
    created: bool


def record_visit(
    *,
    patient: Patient,
    answers: Mapping[str, object],
    covariates: Mapping[str, CovariateValue],
    visit_at: datetime,
    submission_id: uuid.UUID,
    actor: Actor,
    check_recent: bool = False,
    entered_by: EnteredBy = EnteredBy.CLINICIAN,
    also: Callable[[Visit], None] | None = None,
) -> Recorded:
    """One visit with its result, flags opened or attached and its audit row, or nothing at all
    (SubmissionOfAnotherPatient when the submission id recorded another patient's visit).

    With `check_recent` (a clinician who has not confirmed another encounter), raises
    RecentVisitRecorded instead when the patient had a visit recorded within RECENT_VISIT_MINUTES.
    A patient's self-entry passes `entered_by=PATIENT` (its flags are marked patient-reported) and
    `also`, which is called with the new visit inside the same transaction (the self-entry is
    saved beside its visit, so its SAFETY flag and its record commit together).
    """
    with transaction.atomic(durable=True):
        return record_visit_in_transaction(
            patient=patient,
            answers=answers,
            covariates=covariates,
            visit_at=visit_at,
            submission_id=submission_id,
            actor=actor,
            check_recent=check_recent,
            entered_by=entered_by,
            also=also,
        )


def record_visit_in_transaction(
    *,
    patient: Patient,
    answers: Mapping[str, object],
    covariates: Mapping[str, CovariateValue],
    visit_at: datetime,
    submission_id: uuid.UUID,
    actor: Actor,
    check_recent: bool = False,
    entered_by: EnteredBy = EnteredBy.CLINICIAN,
    also: Callable[[Visit], None] | None = None,
) -> Recorded:
    """record_visit's work in the caller's transaction, for a batch whose visits stand or fall
    together (a FHIR transaction Bundle); the caller holds one durable transaction."""
    if (earlier := lock_and_find_earlier(patient, submission_id)) is not None:
        return Recorded(earlier, created=False)
    # Decided under the patient's lock, so two tabs cannot both pass on uncommitted data.
    if check_recent and (recent := _recent_visit(patient)) is not None:
        raise RecentVisitRecorded(recent)
    visit, raised = _write_visit(
        patient=patient,
        answers=answers,
        covariates=covariates,
        visit_at=visit_at,
        submission_id=submission_id,
        amends=None,
        actor=actor,
        entered_by=entered_by,
    )
    record_audit(
        actor=actor,
        action=AuditAction.VISIT_RECORD,
        obj=visit,
        patient=patient,
        detail=_audit_detail(visit, raised),
    )
    if also is not None:
        also(visit)
    return Recorded(visit, created=True)


def amend_visit(
    *,
    original: Visit,
    answers: Mapping[str, object],
    covariates: Mapping[str, CovariateValue],
    visit_at: datetime,
    submission_id: uuid.UUID,
    reason: str,
    actor: Actor,
    entered_by: EnteredBy = EnteredBy.CLINICIAN,
    also: Callable[[Visit], None] | None = None,
) -> Recorded:
    """A new visit pointing to `original`, with the clinician's reason stored on it; its flags
    follow the new result (DESIGN.md Data model).

    Open flags the original raised but the amendment no longer does stay open with a note: a
    person decides whether to resolve them. Raises VisitAlreadyAmended if `original` is not the
    newest visit of its chain, SubmissionOfAnotherPatient as record_visit does, ValueError for
    a blank reason. `entered_by` and `also` as for record_visit (a self-entry's sign-off with
    corrections).
    """
    if not reason.strip():
        raise ValueError("an amendment needs a reason")
    with transaction.atomic(durable=True):
        if (earlier := lock_and_find_earlier(original.patient, submission_id)) is not None:
            return Recorded(earlier, created=False)
        newer = Visit.objects.filter(amends=original).order_by("-id").first()
        if newer is not None:
            raise VisitAlreadyAmended(newer)
        visit, raised = _write_visit(
            patient=original.patient,
            answers=answers,
            covariates=covariates,
            visit_at=visit_at,
            submission_id=submission_id,
            amends=original,
            amendment_reason=reason.strip(),
            actor=actor,
            entered_by=entered_by,
        )
        noted = _note_flags_no_longer_raised(
            original=original, visit=visit, still_raised={spec.kind for spec in raised}, actor=actor
        )
        detail = _audit_detail(visit, raised) | {"amends": original.pk, "flags_noted": noted}
        record_audit(
            actor=actor,
            action=AuditAction.VISIT_AMEND,
            obj=visit,
            patient=original.patient,
            detail=detail,
        )
        if also is not None:
            also(visit)
    return Recorded(visit, created=True)


@dataclass(frozen=True)
class RaisedFlag:
    """A flag this visit opened or attached to, and the finding it recorded."""

    flag: Flag
    action: str
    reason: str


@dataclass(frozen=True)
class Change:
    """One answer or result an amendment changed, worded as the visit page words it."""

    label: str
    before: str
    after: str


# The stored result, as the result page names it; compared after the answers.
_RESULT_LABELS = {
    "back_pain": "Result: back pain",
    "major_depression": "Result: major depression",
    "path": "Result: path",
    "symptom_count": "Result: symptoms counted",
    "safety_flag": "Result: thoughts of death endorsed",
}


def _shown(visit: Visit, key: str) -> str:
    value = getattr(visit, key)
    if key in questionnaire.ITEMS:
        return "Not asked" if value is None else answer_label(key, value)
    if key == "path":
        return str(visit.get_path_display())
    if key in ("back_pain", "major_depression"):
        return "Meets the criterion" if value else "Does not meet the criterion"
    if key in _RESULT_LABELS:
        return ("Yes" if value else "No") if isinstance(value, bool) else str(value)
    covariate = questionnaire.COVARIATES[key]
    if value is None or value == "":
        return "Not recorded"
    if covariate.yes_no:
        return "Yes" if value else "No"
    if covariate.choices is not None:
        return str(dict(covariate.choices).get(str(value), value))
    return str(value)


def amendment_changes(before: Visit, after: Visit) -> list[Change]:
    """The answers, covariates and results that differ between a visit and its amendment."""
    labels = {key: item.text for key, item in questionnaire.ITEMS.items()}
    labels |= {key: c.text for key, c in questionnaire.COVARIATES.items()}
    labels |= _RESULT_LABELS
    return [
        Change(label, _shown(before, key), _shown(after, key))
        for key, label in labels.items()
        if getattr(before, key) != getattr(after, key)
    ]


@dataclass(frozen=True)
class VisitReport:
    """What the result page shows about one visit (issue 5, point 4)."""

    visit: Visit
    newer: Visit | None
    back_pain_reasons: list[str]
    depression_reasons: list[str]
    raised: list[RaisedFlag]
    open_flags: list[Flag]
    answers: list[tuple[str, str]]
    explained_with_version: str
    changes: list[Change]  # what the amendment changed, between visit.amends or visit and newer
    safety_flag: Flag | None = None  # the SAFETY flag this visit raised or joined
    safety_place: tuple[int, int] | None = None  # its place among unclaimed ones, newest first
    reviewers_emailed: int = 0  # reviewers the safety e-mail goes to (one message each)


def open_visit(*, visit_id: int, actor: Actor) -> VisitReport:
    """The visit with its explanation and flags; the view is audited (VISIT_VIEW).

    Raises Visit.DoesNotExist for an unknown id.
    """
    with transaction.atomic(durable=True):
        visit = Visit.objects.select_related("patient", "clinician", "amends").get(pk=visit_id)
        record_audit(actor=actor, action=AuditAction.VISIT_VIEW, obj=visit, patient=visit.patient)
        answers = {key: getattr(visit, key) for key in questionnaire.ANSWER_KEYS}
        # Re-classified to say why; the stored result stays what was signed (see the version).
        lines = criteria.explain(answers, criteria.classify(answers))
        events = (
            FlagEvent.objects.filter(
                visit=visit, action__in=(FlagEventAction.OPENED, FlagEventAction.ATTACHED)
            )
            .select_related("flag", "flag__assignee")
            .order_by("-flag__priority", "id")
        )
        raised = [RaisedFlag(event.flag, event.action, event.note) for event in events]
        unresolved = list(open_flags(visit.patient_id))
        newer = newer_visit(visit)
    if newer is not None:
        changes = amendment_changes(visit, newer)
    elif visit.amends is not None:
        changes = amendment_changes(visit.amends, visit)
    else:
        changes = []
    safety = next((item.flag for item in raised if item.flag.kind == FlagKind.SAFETY), None)
    return VisitReport(
        safety_flag=safety,
        safety_place=safety_place(safety) if safety is not None else None,
        reviewers_emailed=len(reviewer_addresses()) if safety is not None else 0,
        visit=visit,
        newer=newer,
        back_pain_reasons=lines[:1],
        depression_reasons=lines[1:],
        raised=raised,
        open_flags=unresolved,
        answers=[
            (questionnaire.ITEMS[key].text, answer_label(key, value))
            for key, value in answers.items()
            if value is not None
        ],
        explained_with_version=criteria.CRITERIA_VERSION,
        changes=changes,
    )


def record_form_view(*, patient: Patient, amends: Visit | None, actor: Actor) -> None:
    """Each showing of the screening form is audited: it shows the patient's name, MRN and date of
    birth (PATIENT_VIEW), and an amendment's form every answer of the visit it corrects
    (VISIT_VIEW of that visit)."""
    if amends is None:
        action, obj, form = AuditAction.PATIENT_VIEW, patient, "new_visit"
    else:
        action, obj, form = AuditAction.VISIT_VIEW, amends, "amendment"
    with transaction.atomic(durable=True):
        record_audit(actor=actor, action=action, obj=obj, patient=patient, detail={"form": form})


def _recent_visit(patient: Patient) -> Visit | None:
    """The patient's visit recorded within RECENT_VISIT_MINUTES, if any (0 never finds one)."""
    minutes = settings.RECENT_VISIT_MINUTES
    if minutes <= 0:
        return None
    return latest_visit_since(patient.pk, timezone.now() - timedelta(minutes=minutes))


def newer_visit(visit: Visit) -> Visit | None:
    """The visit that amends `visit`, if any."""
    return Visit.objects.filter(amends=visit).select_related("clinician").order_by("id").first()


def answer_label(key: str, value: object) -> str:
    """How the questionnaire words a stored answer: the option label, or Yes / No."""
    choices = questionnaire.ITEMS[key].choices
    if choices is None:
        return "Yes" if value else "No"
    return dict(choices)[str(value)]


def _note_flags_no_longer_raised(
    *, original: Visit, visit: Visit, still_raised: set[flags.FlagKind], actor: Actor
) -> list[int]:
    """Note on each unresolved flag the original visit raised or joined that the amendment
    does not raise; the flags stay open for a person to decide."""
    stale = (
        Flag.objects.select_for_update()
        .filter(pk__in=_flags_raised_by(original))
        .exclude(status=FlagStatus.RESOLVED)
        .exclude(kind__in=[kind.value for kind in still_raised])
        .order_by("id")
    )
    noted = []
    for flag in stale:
        label = FlagKind(flag.kind).label.lower()
        note = (
            f"Amended visit {visit.pk} (correcting visit {original.pk}) no longer meets the "
            f"criterion behind this flag ({label}). The flag stays open: resolve or dismiss it "
            "after review."
        )
        noted.append(event(flag, FlagEventAction.NOTED, visit, actor, note))
    FlagEvent.objects.bulk_create(noted)
    return [event.flag_id for event in noted]


def _flags_raised_by(visit: Visit) -> Any:
    """Ids of the flags a visit opened or attached to."""
    raised = (FlagEventAction.OPENED, FlagEventAction.ATTACHED)
    return FlagEvent.objects.filter(visit=visit, action__in=raised).values("flag_id")


def _audit_detail(visit: Visit, raised: tuple[flags.FlagSpec, ...]) -> dict[str, Any]:
    """Codes only, no PHI: the result and the flag kinds the visit raised."""
    detail = {
        "criteria_version": visit.criteria_version,
        "back_pain": visit.back_pain,
        "major_depression": visit.major_depression,
        "flags": [spec.kind.value for spec in raised],
    }
    if visit.entered_by != EnteredBy.CLINICIAN:
        detail["entered_by"] = visit.entered_by
    return detail


def _write_visit(
    *,
    patient: Patient,
    answers: Mapping[str, object],
    covariates: Mapping[str, CovariateValue],
    visit_at: datetime,
    submission_id: uuid.UUID,
    amends: Visit | None,
    actor: Actor,
    amendment_reason: str = "",
    entered_by: EnteredBy = EnteredBy.CLINICIAN,
) -> tuple[Visit, tuple[flags.FlagSpec, ...]]:
    """Insert the classified visit, then open or attach each flag it raises."""
    classified = classified_visit(
        patient=patient,
        clinician_id=actor.user.pk,
        answers=answers,
        covariates=covariates,
        visit_at=visit_at,
        submission_id=submission_id,
        amends=amends,
        amendment_reason=amendment_reason,
        entered_by=entered_by,
    )
    # No full_clean(): the form validated the input, and the table's constraints check every
    # row; full_clean would re-run ~20 of them as extra queries on the busiest write we have.
    visit = classified.visit
    visit.save(force_insert=True)
    flag_ids = open_or_attach(
        patient=patient,
        visit=visit,
        raised=classified.raised,
        actor=actor,
        patient_reported=entered_by == EnteredBy.PATIENT,
    )
    notify_safety_on_commit(
        [flag_ids[flags.FlagKind.SAFETY]] if flags.FlagKind.SAFETY in flag_ids else []
    )
    return visit, classified.raised
