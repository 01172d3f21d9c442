"""Reads of self-entry that the clinician's pages share, with their joins set here."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from intake.models import Invitation, SelfEntry


def patient_invitations(patient_id: int) -> QuerySet[Invitation]:
    """The patient's invitations, newest first, with their self-entries."""
    return (
        Invitation.objects.filter(patient_id=patient_id)
        .select_related("created_by", "withdrawn_by", "self_entry", "self_entry__signed_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Waiting:
    """A self-entry waiting for sign-off; overdue after SELF_ENTRY_SIGN_OFF_HOURS."""

    entry: SelfEntry
    overdue: bool


def waiting_for_sign_off(patient_id: int | None = None) -> list[Waiting]:
    """Unsigned self-entries, oldest first (safety answers first), optionally of one patient."""
    entries = SelfEntry.objects.filter(signed_at__isnull=True).select_related(
        "invitation__patient", "invitation__created_by"
    )
    if patient_id is not None:
        entries = entries.filter(invitation__patient_id=patient_id)
    cutoff = timezone.now() - timedelta(hours=settings.SELF_ENTRY_SIGN_OFF_HOURS)
    return [
        Waiting(entry, entry.submitted_at < cutoff)
        for entry in entries.order_by("-safety", "submitted_at", "id")
    ]


def self_entry(entry_id: int) -> SelfEntry:
    """One self-entry with its patient, visit and sign-off; raises SelfEntry.DoesNotExist."""
    return SelfEntry.objects.select_related(
        "invitation__patient",
        "invitation__created_by",
        "visit",
        "signed_by",
        "signed_visit",
    ).get(pk=entry_id)


def finished(invitation_id: int) -> tuple[str, bool] | None:
    """(mode, safety answer) of an invitation the patient has finished, else None."""
    row = (
        SelfEntry.objects.filter(invitation_id=invitation_id)
        .values_list("invitation__mode", "safety")
        .first()
    )
    return (row[0], row[1]) if row is not None else None
