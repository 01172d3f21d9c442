"""Allow the `queue_view` action: one row per page of the review queue shown (issue 14, point 4).

The choice set is a CHECK constraint on a table that grows without bound. Re-adding it as Django
does would scan every audit row under an ACCESS EXCLUSIVE lock, stopping every audited page for
the length of the scan. So the wider check is added NOT VALID in the statement that drops the old
one (a moment's lock, no scan; new rows are checked from then on), and the old rows are validated
in a second transaction under a lock that lets inserts go on.
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
    "flag_action",
    "export",
    "analytics_view",
    "import",
    "audit_view",
    "audit_export",
    "user_create",
    "user_change",
    "user_deactivate",
    "user_password_reset",
]
ACTIONS = [*OLD_ACTIONS[:12], "queue_view", *OLD_ACTIONS[12:]]
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
    ("analytics_view", "Viewed analytics"),
    ("import", "Imported visits"),
    ("audit_view", "Viewed the audit log"),
    ("audit_export", "Exported the audit log"),
    ("user_create", "Created a user"),
    ("user_change", "Changed a user"),
    ("user_deactivate", "Deactivated a user"),
    ("user_password_reset", "Reset a password"),
]


class Migration(migrations.Migration):
    # each statement commits on its own, so the scan of VALIDATE holds no exclusive lock
    atomic = False

    dependencies = [
        ("audit", "0003_refuse_truncate"),
    ]

    operations = [replace_action_check(OLD_ACTIONS, ACTIONS, CHOICES)]
