"""E-mail to reviewers when a visit raises a SAFETY flag (DESIGN.md "Flag rules").

The message carries no PHI (no name, MRN, date of birth or answers): only a link to the flag,
which opens after sign-in for someone allowed to review it.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "screening.review_flag"
SAFETY_SUBJECT = "Urgent: a screening raised a safety flag"


def reviewer_addresses() -> list[str]:
    """E-mail addresses of active users who may work the review queue, without duplicates."""
    users = get_user_model().objects.with_perm(
        REVIEW_PERMISSION,
        is_active=True,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return sorted({user.email for user in users.exclude(email="").only("email")})


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
