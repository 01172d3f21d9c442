"""The three roles and the model permissions each holds (DESIGN.md "Roles").

Views check these permissions, never a group name; the groups only bundle them. Migration
accounts/0001_role_groups created the groups with a frozen copy of this table; a test keeps the
two equal, so a change here needs a new data migration (interop/0002 gave admins API clients).
"""

from django.contrib.auth.models import Group, Permission

CLINICIAN = "clinician"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (CLINICIAN, REVIEWER, ADMIN)

_CLINICIAN = (
    "patients.view_patient",
    "patients.add_patient",
    "screening.view_visit",
    "screening.add_visit",
    "screening.view_flag",
)
_REVIEWER = (*_CLINICIAN, "screening.review_flag", "screening.change_flag")
_ADMIN = (
    *_REVIEWER,
    "screening.export_visit",
    "screening.view_analytics",
    "audit.view_audit",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "interop.manage_apiclient",
)
PERMISSIONS: dict[str, tuple[str, ...]] = {
    CLINICIAN: _CLINICIAN,
    REVIEWER: _REVIEWER,
    ADMIN: _ADMIN,
}


def sync_role_groups() -> None:
    """Create or update the role groups with exactly the permissions of PERMISSIONS."""
    for role, codes in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in (code.split(".") for code in codes)
            ]
        )
