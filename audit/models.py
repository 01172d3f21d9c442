"""The audit trail: who did what to which object, from where. Insert-only, enforced in Postgres."""

import pgtrigger
from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    LOCKOUT = "lockout", "Locked out"
    IDLE_SIGN_OUT = "idle_sign_out", "Signed out after idle time"
    PATIENT_CREATE = "patient_create", "Registered a patient"
    PATIENT_VIEW = "patient_view", "Viewed a patient"
    PATIENT_SEARCH = "patient_search", "Searched patients"
    VISIT_RECORD = "visit_record", "Recorded a visit"
    VISIT_AMEND = "visit_amend", "Amended a visit"
    VISIT_VIEW = "visit_view", "Viewed a visit"
    FLAG_VIEW = "flag_view", "Viewed a case"
    QUEUE_VIEW = "queue_view", "Viewed the review queue"
    FLAG_ACTION = "flag_action", "Acted on a case"
    EXPORT = "export", "Exported visits"
    EXPORT_COMPLETE = "export_complete", "Finished an export"
    EXPORT_INCOMPLETE = "export_incomplete", "Export stopped early"
    ANALYTICS_VIEW = "analytics_view", "Viewed analytics"
    IMPORT = "import", "Imported visits"
    AUDIT_VIEW = "audit_view", "Viewed the audit log"
    AUDIT_EXPORT = "audit_export", "Exported the audit log"
    USER_CREATE = "user_create", "Created a user"
    USER_CHANGE = "user_change", "Changed a user"
    USER_DEACTIVATE = "user_deactivate", "Deactivated a user"
    USER_PASSWORD_RESET = "user_password_reset", "Reset a password"
    USER_SEARCH = "user_search", "Searched users"
    # instruments and re-screening (review)
    INSTRUMENT_RECORD = "instrument_record", "Recorded an instrument"
    INSTRUMENT_AMEND = "instrument_amend", "Amended an instrument"
    RESCREEN_VIEW = "rescreen_view", "Viewed the re-screen list"
    # patient self-entry (intake)
    INVITATION_CREATE = "invitation_create", "Created a self-entry invitation"
    INVITATION_OPEN = "invitation_open", "Opened a self-entry invitation"
    INVITATION_DOB_FAILED = "invitation_dob_failed", "Wrong date of birth on an invitation"
    INVITATION_FINISH = "invitation_finish", "Finished a self-entry"
    INVITATION_WITHDRAW = "invitation_withdraw", "Withdrew a self-entry invitation"
    SELF_ENTRY_VIEW = "self_entry_view", "Viewed a self-entry"
    SELF_ENTRY_SIGN = "self_entry_sign", "Signed off a self-entry"
    # the FHIR API and CDS Hooks (interop)
    API_CALL = "api_call", "API call"
    API_CLIENT_CREATE = "api_client_create", "Created an API client"
    API_CLIENT_REVOKE = "api_client_revoke", "Revoked an API client"
    # background export jobs (exports)
    EXPORT_QUEUED = "export_queued", "Queued an export"
    EXPORT_JOB_FINISHED = "export_job_finished", "Export job finished"
    EXPORT_JOB_FAILED = "export_job_failed", "Export job failed"
    EXPORT_DOWNLOAD = "export_download", "Downloaded an export"
    EXPORT_EXPIRED = "export_expired", "Export file expired and deleted"


class Audit(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who acted; empty for a failed sign-in under an unknown username.",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="The username as typed or held at the time."
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The patient whose record was touched, for 'who saw this patient'.",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(
        default=dict, blank=True, help_text="Non-identifying details: filters, counts, outcome."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "who accessed this patient" on the patient page and the audit filter by MRN
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            # the audit filter by username: the name as typed or held then (failed sign-ins,
            # renamed users), ORed with the actor link above
            models.Index(fields=["username", "-at"], name="audit_username_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values),
                name="audit_action_valid",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_insert_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    @property
    def description(self) -> str:
        """The row as a sentence (audit.sentences): ids and codes only, as stored."""
        from audit.sentences import describe  # sentences imports AuditAction from here

        return describe(self.action, self.object_type, self.object_id, self.detail)
