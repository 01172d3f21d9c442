"""Flag transitions on the review queue: each locks the flag, checks the move against the state it
finds, and writes the flag, its FlagEvent and the audit row in one transaction (DESIGN.md)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import Actor, record_audit
from lib.when import when
from patients.models import Patient
from patients.selectors import search_kind
from review.selectors import (
    Cursor,
    QueueFilters,
    QueuePage,
    RescreenCursor,
    RescreenPage,
    rescreen_due,
    review_queue,
)
from screening.models import Flag, FlagEvent, FlagEventAction, FlagKind, FlagOutcome, FlagStatus
from screening.selectors import latest_flag_instrument

# Dismissing is its own action, with a reason instead of an assessment.
RESOLVE_OUTCOMES = tuple(
    (code, label) for code, label in FlagOutcome.choices if code != FlagOutcome.DISMISSED
)
_SAFETY_OUTCOMES = {
    FlagOutcome.SAFETY_ASSESSED,
    FlagOutcome.DECLINED,
    FlagOutcome.UNABLE_TO_REACH,
}


def resolve_outcomes(kind: str) -> tuple[tuple[str, str], ...]:
    """The coded outcomes that close a flag of this kind: a suicide-risk assessment for SAFETY,
    an assessment of the other condition for the others; declined and unreachable for both."""
    if kind == FlagKind.SAFETY:
        return tuple(choice for choice in RESOLVE_OUTCOMES if choice[0] in _SAFETY_OUTCOMES)
    return tuple(choice for choice in RESOLVE_OUTCOMES if choice[0] != FlagOutcome.SAFETY_ASSESSED)


class FlagActionError(Exception):
    """A transition the flag's current state does not allow; nothing was changed."""


def person(user: Any) -> str:
    """How a reviewer is named to colleagues: full name and username, never patient data."""
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _locked_flag(flag_id: int) -> Flag:
    """The flag, row-locked until commit, so two reviewers act on it one after the other."""
    try:
        # No select_related: after waiting for the lock Postgres re-reads the flag row but not
        # the rows joined to it, so a joined assignee would be the one from before the wait.
        return Flag.objects.select_for_update().get(pk=flag_id)
    except Flag.DoesNotExist:
        raise FlagActionError("This case does not exist.") from None


def _closed_error(flag: Flag) -> FlagActionError:
    at = when(flag.resolved_at)
    verb = "dismissed" if flag.outcome == FlagOutcome.DISMISSED else "resolved"
    by = f" by {person(flag.resolved_by)}" if flag.resolved_by else ""
    return FlagActionError(f"This case was already {verb}{by} on {at}; reopen it first.")


def _holder_error(flag: Flag, actor: Actor) -> FlagActionError | None:
    """Why `actor` may not work the flag now (someone else holds it, or it is closed), or None."""
    if flag.status == FlagStatus.RESOLVED:
        return _closed_error(flag)
    if flag.status == FlagStatus.IN_REVIEW and flag.assignee_id != actor.user.pk:
        return FlagActionError(
            f"{person(flag.assignee)} has this case; ask them to release it, or take it over."
        )
    return None


def _required(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise FlagActionError(f"Enter {what}.")
    return text


def _record(
    flag: Flag,
    actor: Actor,
    action: FlagEventAction,
    *,
    note: str = "",
    outcome: str | None = None,
    taken_from: int | None = None,
    instrument: int | None = None,
) -> None:
    """The FlagEvent and the audit row of one action, in the caller's transaction."""
    FlagEvent.objects.create(flag=flag, actor=actor.user, action=action, note=note, outcome=outcome)
    detail: dict[str, Any] = {"action": action.value, "flag": flag.pk}
    if outcome:
        detail["outcome"] = outcome
    if instrument is not None:
        detail["instrument"] = instrument  # the recorded instrument the outcome rests on
    if taken_from is not None:
        detail["taken_from"] = taken_from  # the user id of the reviewer who held the case
    record_audit(
        actor=actor, action=AuditAction.FLAG_ACTION, obj=flag, patient=flag.patient, detail=detail
    )


@transaction.atomic(durable=True)
def claim_flag(*, flag_id: int, actor: Actor) -> Flag:
    """An open flag becomes in review, assigned to the actor; anything else changes nothing."""
    flag = _locked_flag(flag_id)
    if flag.status == FlagStatus.IN_REVIEW and flag.assignee_id == actor.user.pk:
        raise FlagActionError("You already have this case.")
    if error := _holder_error(flag, actor):
        raise error
    flag.status = FlagStatus.IN_REVIEW
    flag.assignee = actor.user
    flag.save(update_fields=["status", "assignee", "updated_at"])
    _record(flag, actor, FlagEventAction.CLAIMED)
    return flag


@transaction.atomic(durable=True)
def release_flag(*, flag_id: int, actor: Actor) -> Flag:
    """The actor's own claim is given up and the flag is open again for anyone."""
    flag = _locked_flag(flag_id)
    if error := _holder_error(flag, actor):
        raise error
    if flag.status == FlagStatus.OPEN:
        raise FlagActionError("This case is not claimed, so there is nothing to release.")
    flag.status = FlagStatus.OPEN
    flag.assignee = None
    flag.save(update_fields=["status", "assignee", "updated_at"])
    _record(flag, actor, FlagEventAction.RELEASED)
    return flag


@transaction.atomic(durable=True)
def take_over_flag(*, flag_id: int, actor: Actor, reason: str) -> Flag:
    """A case another reviewer holds passes to the actor, the reason in its history: the holder
    may be away, and a safety case cannot wait for them."""
    reason = _required(reason, "the reason for taking over this case")
    flag = _locked_flag(flag_id)
    if flag.status == FlagStatus.RESOLVED:
        raise _closed_error(flag)
    if flag.status == FlagStatus.OPEN:
        raise FlagActionError("Nobody holds this case; claim it instead.")
    if flag.assignee_id == actor.user.pk:
        raise FlagActionError("You already have this case.")
    holder_id, note = flag.assignee_id, f"Taken over from {person(flag.assignee)}: {reason}"
    flag.assignee = actor.user
    flag.save(update_fields=["assignee", "updated_at"])
    _record(flag, actor, FlagEventAction.TAKEN_OVER, note=note, taken_from=holder_id)
    return flag


@transaction.atomic(durable=True)
def add_flag_note(*, flag_id: int, actor: Actor, note: str) -> Flag:
    """A note joins the case history, whatever the flag's state; the flag itself is unchanged."""
    note = _required(note, "a note")
    flag = _locked_flag(flag_id)
    _record(flag, actor, FlagEventAction.NOTED, note=note)
    return flag


def _set_resolution(
    flag: Flag, *, by: Any, outcome: str | None, note: str, measure: Any = None
) -> None:
    """The flag resolved by `by` with an outcome, note and the instrument it rests on (if any),
    or (by None) open again, unassigned, with the resolution cleared; saved."""
    flag.outcome_instrument = measure
    flag.status = FlagStatus.RESOLVED if by is not None else FlagStatus.OPEN
    flag.assignee = by
    flag.outcome = outcome
    flag.resolution_note = note
    flag.resolved_at = timezone.now() if by is not None else None
    flag.resolved_by = by
    flag.save(
        update_fields=[
            "status",
            "assignee",
            "outcome",
            "resolution_note",
            "resolved_at",
            "resolved_by",
            "outcome_instrument",
            "updated_at",
        ]
    )


@transaction.atomic(durable=True)
def resolve_flag(*, flag_id: int, actor: Actor, outcome: str, note: str) -> Flag:
    """An open flag, or one the actor holds, is closed with a coded outcome that fits its kind
    and a note."""
    note = _required(note, "a note on the assessment")
    flag = _locked_flag(flag_id)
    if error := _holder_error(flag, actor):
        raise error
    if outcome not in dict(resolve_outcomes(flag.kind)):
        raise FlagActionError(
            f"Choose an outcome that fits a {flag.get_kind_display().lower()} flag."
        )
    # Read under the flag's lock: an instrument recorded against the flag locks it too, so the
    # outcome rests on the latest one committed (INSTRUMENTS.md section 4).
    measure = latest_flag_instrument(flag.pk)
    _set_resolution(flag, by=actor.user, outcome=outcome, note=note, measure=measure)
    _record(
        flag,
        actor,
        FlagEventAction.RESOLVED,
        note=note,
        outcome=outcome,
        instrument=measure.pk if measure is not None else None,
    )
    return flag


@transaction.atomic(durable=True)
def dismiss_flag(*, flag_id: int, actor: Actor, reason: str) -> Flag:
    """An open flag, or one the actor holds, is closed without assessment, with the reason why."""
    reason = _required(reason, "the reason for dismissing without an assessment")
    flag = _locked_flag(flag_id)
    if error := _holder_error(flag, actor):
        raise error
    _set_resolution(flag, by=actor.user, outcome=FlagOutcome.DISMISSED, note=reason)
    _record(flag, actor, FlagEventAction.DISMISSED, note=reason, outcome=FlagOutcome.DISMISSED)
    return flag


@transaction.atomic(durable=True)
def reopen_flag(*, flag_id: int, actor: Actor, note: str = "") -> Flag:
    """A resolved flag is open again, its outcome cleared and its history kept; refused while the
    patient has another unresolved flag of the same kind (one open flag per patient and kind)."""
    patient_id = Flag.objects.filter(pk=flag_id).values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise FlagActionError("This case does not exist.")
    # Patient row first, then the flag: the order record_visit takes them, so a visit that would
    # open a flag of this kind waits for us (or we see its flag) and the two never deadlock.
    Patient.objects.select_for_update().filter(pk=patient_id).first()
    flag = _locked_flag(flag_id)
    if flag.status != FlagStatus.RESOLVED:
        raise FlagActionError("This case is not resolved, so it cannot be reopened.")
    other = (
        Flag.objects.filter(patient_id=flag.patient_id, kind=flag.kind)
        .exclude(status=FlagStatus.RESOLVED)
        .exclude(pk=flag.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if other is not None:
        raise FlagActionError(
            f"This patient already has an unresolved {flag.get_kind_display().lower()} flag "
            f"(case #{other}); work that case instead of reopening this one."
        )
    _set_resolution(flag, by=None, outcome=None, note="")
    _record(flag, actor, FlagEventAction.REOPENED, note=note.strip())
    return flag


def read_rescreen_list(*, cursor: RescreenCursor | None, actor: Actor) -> RescreenPage:
    """A page of the re-screen list, its showing audited in one row (RESCREEN_VIEW) with the ids
    of the patients and visits listed, in list order, and the page number: ids only."""
    with transaction.atomic(durable=True):
        page = rescreen_due(cursor=cursor)
        record_audit(
            actor=actor,
            action=AuditAction.RESCREEN_VIEW,
            detail={
                "patients": [row.visit.patient_id for row in page.rows],
                "visits": [row.visit.pk for row in page.rows],
                "page": page.number,
            },
        )
    return page


def read_review_queue(
    *, filters: QueueFilters, cursor: Cursor | None, size: int, actor: Actor
) -> QueuePage:
    """A page of the queue, its showing audited in one row (QUEUE_VIEW): the rows carry names
    and MRNs, so the row keeps the ids of the flags and patients listed, in queue order, with
    the filters and the page number; ids only, never what the page showed of them."""
    with transaction.atomic(durable=True):
        page = review_queue(filters=filters, user=actor.user, cursor=cursor, size=size)
        shown = [row.flag for row in page.rows]
        record_audit(
            actor=actor,
            action=AuditAction.QUEUE_VIEW,
            detail={
                "flags": [flag.pk for flag in shown],
                "patients": list(dict.fromkeys(flag.patient_id for flag in shown)),
                "filters": filters.as_dict(),
                "page": page.number,
            },
        )
        if filters.patient_search:  # audited as patient search is: its kind and counts only
            record_audit(
                actor=actor,
                action=AuditAction.PATIENT_SEARCH,
                detail={
                    "from": "review_queue",
                    "by": search_kind(filters.patient_search),
                    "results": page.total,
                    "results_capped": page.total_capped,
                    "page": page.number,
                },
            )
    return page


@transaction.atomic(durable=True)
def record_case_view(*, flag: Flag, actor: Actor) -> None:
    """Who opened which case, for 'who saw this patient' (AuditAction.FLAG_VIEW)."""
    record_audit(
        actor=actor,
        action=AuditAction.FLAG_VIEW,
        obj=flag,
        patient=flag.patient,
        detail={"flag": flag.pk},
    )
