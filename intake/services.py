"""Every write of self-entry: invitations created, opened, checked, withdrawn; the patient's
answers recorded with their visit and flags; the clinician's sign-off (issue 17).

Each runs in one durable transaction with its audit row. A submit records its visit through
screening's record_visit, so the SAFETY flag, its patient-reported mark and the reviewers'
e-mail on commit come from the one code path every visit takes.
"""

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import Actor, record_audit
from intake import tokens
from intake.models import LIVE_STATUSES, Invitation, InvitationMode, InvitationStatus, SelfEntry
from patients.models import Patient
from screening import criteria, questionnaire
from screening.models import EnteredBy, Visit
from screening.services.visits import amend_visit, record_visit


class InvitationNotUsable(Exception):
    """The invitation is used, withdrawn, expired or unknown; nothing was changed."""


@dataclass(frozen=True)
class CreatedInvitation:
    """A new invitation with its secrets, which exist only here: the table keeps their hashes."""

    invitation: Invitation
    token: str
    short_code: str


def create_invitation(*, patient: Patient, mode: InvitationMode, actor: Actor) -> CreatedInvitation:
    """An invitation for the clinic tablet (INVITATION_TABLET_HOURS) or a link to send
    (INVITATION_LINK_DAYS); audited without its token."""
    now = timezone.now()
    if mode == InvitationMode.TABLET:
        lifetime = timedelta(hours=settings.INVITATION_TABLET_HOURS)
    else:
        lifetime = timedelta(days=settings.INVITATION_LINK_DAYS)
    token, code = tokens.new_token(), tokens.new_short_code()
    # About 40 bits: among millions of invitations two may draw the same code, so draw again.
    while Invitation.objects.filter(short_code_hash=tokens.short_code_digest(code)).exists():
        code = tokens.new_short_code()
    with transaction.atomic(durable=True):
        invitation = Invitation.objects.create(
            patient=patient,
            created_by=actor.user,
            created_at=now,
            mode=mode,
            expires_at=now + lifetime,
            token_hash=tokens.token_digest(token),
            short_code_hash=tokens.short_code_digest(code),
        )
        record_audit(
            actor=actor,
            action=AuditAction.INVITATION_CREATE,
            obj=invitation,
            patient=patient,
            detail={"mode": str(mode), "hours": int(lifetime.total_seconds() // 3600)},
        )
    return CreatedInvitation(invitation, token, code)


def withdraw_invitation(*, invitation_id: int, actor: Actor) -> Invitation:
    """The clinician withdraws an invitation not yet answered; raises InvitationNotUsable once
    it was answered or withdrawn."""
    with transaction.atomic(durable=True):
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
        if invitation.status not in LIVE_STATUSES:
            raise InvitationNotUsable(f"invitation {invitation.pk} is {invitation.status}")
        _withdraw(invitation, by=actor.user)
        record_audit(
            actor=actor,
            action=AuditAction.INVITATION_WITHDRAW,
            obj=invitation,
            patient=invitation.patient,
            detail={"reason": "clinician"},
        )
    return invitation


def _withdraw(invitation: Invitation, *, by: object | None) -> None:
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by = by  # type: ignore[assignment]
    invitation.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])


def _live(digest_field: str, digest: str) -> Invitation:
    """The live invitation whose stored digest equals `digest`, compared in constant time."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(**{digest_field: digest})
        .select_related("patient")
        .first()
    )
    if invitation is None or not tokens.same(getattr(invitation, digest_field), digest):
        raise InvitationNotUsable("no invitation has this secret")
    if not invitation.is_live():
        raise InvitationNotUsable(f"invitation {invitation.pk} is not live")
    return invitation


def open_invitation(*, token: str | None = None, code: str | None = None, actor: Actor) -> int:
    """The id of the live invitation the link's token or the typed code opens; the opening is
    audited (the first marks it opened). Raises InvitationNotUsable otherwise."""
    with transaction.atomic(durable=True):
        if token is not None:
            invitation = _live("token_hash", tokens.token_digest(token))
        else:
            invitation = _live("short_code_hash", tokens.short_code_digest(code or ""))
        if invitation.status == InvitationStatus.CREATED:
            invitation.status = InvitationStatus.OPENED
            invitation.opened_at = timezone.now()
            invitation.save(update_fields=["status", "opened_at"])
        record_audit(
            actor=actor,
            action=AuditAction.INVITATION_OPEN,
            obj=invitation,
            patient=invitation.patient,
            detail={"by": "link" if token is not None else "code"},
        )
    return invitation.pk


def live_invitation(invitation_id: int) -> Invitation:
    """The invitation a patient's session holds, while it is live; InvitationNotUsable after."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_live():
        raise InvitationNotUsable(f"invitation {invitation_id} is not live")
    return invitation


class BirthDateCheck(enum.Enum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    WITHDRAWN = "withdrawn"  # the last allowed wrong try


def check_date_of_birth(*, invitation_id: int, date_of_birth: date, actor: Actor) -> BirthDateCheck:
    """Whether the patient confirmed their date of birth; SELF_ENTRY_DOB_TRIES wrong ones
    withdraw the invitation. Each wrong one is audited, with the count and never the date."""
    with transaction.atomic(durable=True):
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(pk=invitation_id)
        )
        if not invitation.is_live():
            raise InvitationNotUsable(f"invitation {invitation.pk} is not live")
        expected = invitation.patient.date_of_birth.isoformat()
        if tokens.same(expected, date_of_birth.isoformat()):
            return BirthDateCheck.CONFIRMED
        invitation.dob_failures += 1
        invitation.save(update_fields=["dob_failures"])
        record_audit(
            actor=actor,
            action=AuditAction.INVITATION_DOB_FAILED,
            obj=invitation,
            patient=invitation.patient,
            detail={"failures": invitation.dob_failures},
        )
        if invitation.dob_failures < settings.SELF_ENTRY_DOB_TRIES:
            return BirthDateCheck.WRONG
        _withdraw(invitation, by=None)
        record_audit(
            actor=actor,
            action=AuditAction.INVITATION_WITHDRAW,
            obj=invitation,
            patient=invitation.patient,
            detail={"reason": "date_of_birth", "failures": invitation.dob_failures},
        )
    return BirthDateCheck.WITHDRAWN


@dataclass(frozen=True)
class Submitted:
    """What the patient's submit recorded: its mode and whether thoughts of death were endorsed."""

    mode: str
    safety: bool


def submit_self_entry(
    *, invitation_id: int, answers: Mapping[str, object], actor: Actor
) -> Submitted:
    """The patient's answers as a visit entered by the patient, its flags opened or attached (a
    SAFETY flag marked patient-reported, reviewers e-mailed on commit), the self-entry with the
    answers exactly as entered and the invitation spent, in one transaction.

    The visit's clinician is the inviting clinician, who is asked to sign it off
    (docs/self-entry.md). Raises InvitationNotUsable for an invitation no longer live.
    """
    invitation = Invitation.objects.select_related("patient", "created_by").get(pk=invitation_id)
    entered = {key: answers.get(key) for key in questionnaire.ANSWER_KEYS}

    def save_entry(visit: Visit) -> None:
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_live():
            # rolls the visit back too: a spent invitation records nothing more
            raise InvitationNotUsable(f"invitation {locked.pk} is not live")
        now = timezone.now()
        SelfEntry.objects.create(
            invitation=locked,
            answers=entered,
            covariates={},
            submitted_at=now,
            safety=visit.safety_flag,
            visit=visit,
        )
        locked.status = InvitationStatus.SUBMITTED
        locked.submitted_at = now
        locked.save(update_fields=["status", "submitted_at"])
        record_audit(
            actor=actor,
            action=AuditAction.INVITATION_FINISH,
            obj=locked,
            patient=invitation.patient,
            detail={"visit": visit.pk, "safety": visit.safety_flag},
        )

    recorded = record_visit(
        patient=invitation.patient,
        answers=entered,
        covariates={},
        visit_at=timezone.now(),
        submission_id=invitation.submission_id,
        # Flag events and the visit name the clinician who invited, from the patient's address.
        actor=Actor(invitation.created_by, actor.ip_address),
        entered_by=EnteredBy.PATIENT,
        also=save_entry,
    )
    # Not created: a double submit found the visit this invitation's first submit recorded.
    return Submitted(mode=invitation.mode, safety=recorded.visit.safety_flag)


def record_invitations_view(*, patient: Patient, actor: Actor) -> None:
    """The patient's self-entry page shows who they are: audited as a view of the patient."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action=AuditAction.PATIENT_VIEW,
            obj=patient,
            patient=patient,
            detail={"form": "self_entry"},
        )


def record_waiting_view(*, entries: list[SelfEntry], actor: Actor) -> None:
    """The "Waiting for sign-off" list names patients: one row, with ids only."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action=AuditAction.SELF_ENTRY_VIEW,
            detail={
                "list": "waiting_for_sign_off",
                "self_entries": [entry.pk for entry in entries],
                "patients": [entry.invitation.patient_id for entry in entries],
            },
        )


def record_self_entry_view(*, entry: SelfEntry, actor: Actor) -> None:
    """The clinician's reading of a self-entry is audited (SELF_ENTRY_VIEW)."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action=AuditAction.SELF_ENTRY_VIEW,
            obj=entry,
            patient=entry.invitation.patient,
        )


class AlreadySigned(Exception):
    """The self-entry was signed off already; nothing was changed."""


def sign_self_entry(
    *, entry_id: int, corrections: Mapping[str, object], reason: str, actor: Actor
) -> SelfEntry:
    """The clinician signs the self-entry off. Without corrections the visit the patient's
    submit recorded stands; with them, an amendment of it is recorded (screening's amendment
    path, with the reason, entered by the patient and signed by this clinician) and the
    corrections are stored beside the unchanged answers. Raises AlreadySigned, ValueError for
    corrections without a reason, criteria.InvalidAnswers for impossible corrections."""
    entry = SelfEntry.objects.select_related("invitation__patient", "visit").get(pk=entry_id)
    if entry.signed_at is not None:
        raise AlreadySigned(f"self-entry {entry.pk} is signed")

    def sign(signed_visit: Visit | None) -> None:
        locked = SelfEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.signed_at is not None:
            raise AlreadySigned(f"self-entry {locked.pk} is signed")
        locked.signed_by = actor.user
        locked.signed_at = timezone.now()
        locked.corrections = dict(corrections)
        locked.correction_reason = reason.strip() if corrections else ""
        locked.signed_visit = signed_visit
        locked.save(
            update_fields=[
                "signed_by",
                "signed_at",
                "corrections",
                "correction_reason",
                "signed_visit",
            ]
        )
        Invitation.objects.filter(pk=locked.invitation_id).update(status=InvitationStatus.SIGNED)
        record_audit(
            actor=actor,
            action=AuditAction.SELF_ENTRY_SIGN,
            obj=locked,
            patient=entry.invitation.patient,
            detail={
                "visit": entry.visit_id,
                "corrected": sorted(corrections),
                "amendment": signed_visit.pk if signed_visit is not None else None,
            },
        )

    if not corrections:
        with transaction.atomic(durable=True):
            sign(None)
        return SelfEntry.objects.get(pk=entry.pk)
    if not reason.strip():
        raise ValueError("corrections need a reason")
    visit = entry.visit
    answers = {key: getattr(visit, key) for key in questionnaire.ANSWER_KEYS} | dict(corrections)
    amend_visit(
        original=visit,
        answers=criteria.strip_unasked(answers),
        covariates={key: getattr(visit, key) for key in questionnaire.COVARIATE_KEYS},
        visit_at=visit.visit_at,
        submission_id=uuid.uuid4(),
        reason=reason.strip(),
        actor=actor,
        entered_by=EnteredBy.PATIENT,
        also=sign,
    )
    return SelfEntry.objects.get(pk=entry.pk)
