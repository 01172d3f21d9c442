"""Invitations to self-entry and what the patient entered (issue 17, DESIGN.md "Roles": a
single-use, expiring capability scoped to one form; patients never get an account)."""

import uuid
from datetime import datetime

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class InvitationMode(models.TextChoices):
    TABLET = "tablet", "Clinic tablet, now"
    LINK = "link", "Link to send"


class InvitationStatus(models.TextChoices):
    CREATED = "created", "Created, not yet opened"
    OPENED = "opened", "Opened by the patient"
    SUBMITTED = "submitted", "Answered, waiting for sign-off"
    SIGNED = "signed", "Signed off"
    WITHDRAWN = "withdrawn", "Withdrawn"


# An invitation may still be opened and answered in these states, until it expires.
LIVE_STATUSES = (InvitationStatus.CREATED, InvitationStatus.OPENED)


class Invitation(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="invitations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    mode = models.CharField(max_length=8, choices=InvitationMode.choices)
    expires_at = models.DateTimeField()
    # Only hashes are stored: a copy of the table opens no form (docs/self-entry.md).
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the link's token."
    )
    short_code_hash = models.CharField(
        max_length=64, unique=True, help_text="Keyed hash of the code typed at /self/."
    )
    # The visit's submission id, fixed here: a double submit of the form records one visit.
    submission_id = models.UUIDField(default=uuid.uuid4, unique=True)
    status = models.CharField(
        max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.CREATED
    )
    dob_failures = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when withdrawn by too many wrong dates of birth.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the patient page's invitations, newest first
            models.Index(fields=["patient", "-created_at"], name="invitation_patient_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=InvitationMode.values), name="invitation_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="invitation_withdrawn_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["created", "opened", "withdrawn"])
                | Q(submitted_at__isnull=False),
                name="invitation_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"

    def is_expired(self, now: datetime | None = None) -> bool:
        """True once the invitation's time is up (expiry is derived, never stored)."""
        return (now or timezone.now()) >= self.expires_at

    def is_live(self, now: datetime | None = None) -> bool:
        """True while a patient may still open and answer it."""
        return self.status in LIVE_STATUSES and not self.is_expired(now)

    @property
    def shown_status(self) -> str:
        """The status as the clinician reads it, expiry included."""
        if self.status in LIVE_STATUSES and self.is_expired():
            return "Expired"
        return str(self.get_status_display())


class SelfEntry(models.Model):
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, related_name="self_entry"
    )
    answers = models.JSONField(help_text="Exactly what the patient entered; never changed.")
    covariates = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField()
    safety = models.BooleanField(help_text="The patient endorsed thoughts of death.")
    visit = models.OneToOneField(
        "screening.Visit",
        on_delete=models.PROTECT,
        related_name="self_entry",
        help_text="The visit recorded when the patient submitted (entered by the patient).",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    corrections = models.JSONField(
        default=dict, blank=True, help_text="The clinician's corrected answers, by answer key."
    )
    correction_reason = models.TextField(blank=True)
    signed_visit = models.OneToOneField(
        "screening.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_self_entry",
        help_text="The amendment a sign-off with corrections recorded.",
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name_plural = "self-entries"
        indexes = [
            # "Waiting for sign-off": unsigned entries, oldest first
            models.Index(
                fields=["submitted_at"],
                condition=Q(signed_at__isnull=True),
                name="selfentry_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="selfentry_signed_by_and_at",
            ),
            models.CheckConstraint(
                condition=Q(signed_visit__isnull=True) | ~Q(correction_reason=""),
                name="selfentry_correction_has_reason",
            ),
        ]
        triggers = [
            # what the patient entered stays as entered; a correction is stored beside it
            pgtrigger.Protect(
                name="selfentry_answers_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(
                    "answers", "covariates", "submitted_at", "safety", "visit", "invitation"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Self-entry {self.pk}"
