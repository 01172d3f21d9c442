"""The second wave's actions: instruments, the re-screen list, patient self-entry, the FHIR API and
CDS Hooks, and background export jobs (docs/audit-and-access.md).

The check constraint lists the actions, so it is replaced without a scan under an exclusive lock,
as 0004_audit_queue_view explains: added NOT VALID, then validated in its own transaction.
"""

from django.db import migrations

from audit.migration_ops import replace_action_check

OLD_ACTIONS = [
    "sign_in",
    "sign_out",
    "sign_in_failed",
    "lockout",
    "idle_sign_out",
    "patient_create",
    "patient_view",
    "patient_search",
    "visit_record",
    "visit_amend",
    "visit_view",
    "flag_view",
    "queue_view",
    "flag_action",
    "export",
    "export_complete",
    "export_incomplete",
    "analytics_view",
    "import",
    "audit_view",
    "audit_export",
    "user_create",
    "user_change",
    "user_deactivate",
    "user_password_reset",
    "user_search",
]
ACTIONS = [
    *OLD_ACTIONS,
    "instrument_record",
    "instrument_amend",
    "rescreen_view",
    "invitation_create",
    "invitation_open",
    "invitation_dob_failed",
    "invitation_finish",
    "invitation_withdraw",
    "self_entry_view",
    "self_entry_sign",
    "api_call",
    "api_client_create",
    "api_client_revoke",
    "export_queued",
    "export_job_finished",
    "export_job_failed",
    "export_download",
    "export_expired",
]
CHOICES = [
    ("sign_in", "Signed in"),
    ("sign_out", "Signed out"),
    ("sign_in_failed", "Failed sign-in"),
    ("lockout", "Locked out"),
    ("idle_sign_out", "Signed out after idle time"),
    ("patient_create", "Registered a patient"),
    ("patient_view", "Viewed a patient"),
    ("patient_search", "Searched patients"),
    ("visit_record", "Recorded a visit"),
    ("visit_amend", "Amended a visit"),
    ("visit_view", "Viewed a visit"),
    ("flag_view", "Viewed a case"),
    ("queue_view", "Viewed the review queue"),
    ("flag_action", "Acted on a case"),
    ("export", "Exported visits"),
    ("export_complete", "Finished an export"),
    ("export_incomplete", "Export stopped early"),
    ("analytics_view", "Viewed analytics"),
    ("import", "Imported visits"),
    ("audit_view", "Viewed the audit log"),
    ("audit_export", "Exported the audit log"),
    ("user_create", "Created a user"),
    ("user_change", "Changed a user"),
    ("user_deactivate", "Deactivated a user"),
    ("user_password_reset", "Reset a password"),
    ("user_search", "Searched users"),
    ("instrument_record", "Recorded an instrument"),
    ("instrument_amend", "Amended an instrument"),
    ("rescreen_view", "Viewed the re-screen list"),
    ("invitation_create", "Created a self-entry invitation"),
    ("invitation_open", "Opened a self-entry invitation"),
    ("invitation_dob_failed", "Wrong date of birth on an invitation"),
    ("invitation_finish", "Finished a self-entry"),
    ("invitation_withdraw", "Withdrew a self-entry invitation"),
    ("self_entry_view", "Viewed a self-entry"),
    ("self_entry_sign", "Signed off a self-entry"),
    ("api_call", "API call"),
    ("api_client_create", "Created an API client"),
    ("api_client_revoke", "Revoked an API client"),
    ("export_queued", "Queued an export"),
    ("export_job_finished", "Export job finished"),
    ("export_job_failed", "Export job failed"),
    ("export_download", "Downloaded an export"),
    ("export_expired", "Export file expired and deleted"),
]


class Migration(migrations.Migration):
    # each statement commits on its own, so the scan of VALIDATE holds no exclusive lock
    atomic = False

    dependencies = [
        ("audit", "0006_audit_user_search"),
    ]

    operations = [replace_action_check(OLD_ACTIONS, ACTIONS, CHOICES)]
