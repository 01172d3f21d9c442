"""E-mail to reviewers when a visit raises a SAFETY flag (DESIGN.md "Flag rules").

The message carries no PHI (no name, MRN, date of birth or answers): only a link to the flag,
which opens after sign-in for someone allowed to review it.
"""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection
from django.urls import reverse

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "screening.review_flag"
SAFETY_SUBJECT = "Urgent: a screening raised a safety flag"

# The users ModelBackend.with_perm(REVIEW_PERMISSION, include_superusers=False) finds, active and
# holding the permission themselves or through a group (superusers only if granted it), in one
# statement over contrib.auth's own tables: with_perm's ORM expression (an EXISTS with OuterRef
# over a LEFT JOIN) cost about 2.5 ms of the app's CPU and 0.9 ms of PostgreSQL's on every safety
# submit (docs/benchmarks.md "Screening submit against the floor");
# tests/integration/test_safety_never_lost.py compares the two.
_REVIEWERS_SQL = """
    WITH permission AS (
        SELECT permission.id
        FROM auth_permission AS permission
        JOIN django_content_type AS content_type ON content_type.id = permission.content_type_id
        WHERE content_type.app_label = %(app_label)s AND permission.codename = %(codename)s
    )
    SELECT DISTINCT account.email
    FROM auth_user AS account
    WHERE account.is_active AND account.email <> '' AND account.id IN (
        SELECT user_id FROM auth_user_user_permissions
        WHERE permission_id IN (SELECT id FROM permission)
        UNION
        SELECT membership.user_id
        FROM auth_user_groups AS membership
        JOIN auth_group_permissions AS group_permission
            ON group_permission.group_id = membership.group_id
        WHERE group_permission.permission_id IN (SELECT id FROM permission)
    )
"""


def reviewer_addresses() -> list[str]:
    """E-mail addresses of active users who may work the review queue, without duplicates."""
    app_label, codename = REVIEW_PERMISSION.split(".")
    with connection.cursor() as cursor:
        cursor.execute(_REVIEWERS_SQL, {"app_label": app_label, "codename": codename})
        return sorted(email for (email,) in cursor.fetchall())


def safety_message(flag_id: int) -> tuple[str, str]:
    """Subject and body of the safety e-mail: a link to the flag and nothing about the patient."""
    link = f"{settings.SITE_URL}{reverse('review:flag', args=[flag_id])}"
    body = (
        "A screening visit just recorded thoughts of death, which needs a direct suicide-risk "
        "assessment today.\n\n"
        f"Open the case (sign-in required): {link}\n\n"
        "This message deliberately contains no patient details."
    )
    return SAFETY_SUBJECT, body


def notify_safety_flag(flag_id: int) -> int:
    """Send one safety e-mail per reviewer; return how many were sent. Call after commit."""
    subject, body = safety_message(flag_id)
    recipients = reviewer_addresses()
    if not recipients:
        logger.error("safety flag %s raised but no reviewer has an e-mail address", flag_id)
        return 0
    # One message per reviewer, so no reviewer sees who else was told.
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    return send_mass_mail(messages, fail_silently=False)
