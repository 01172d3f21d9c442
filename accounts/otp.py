"""TOTP two-factor sign-in (django-otp): who needs it, the half-signed-in state, the QR code.

A password alone never opens a session for a user who has a confirmed device, or who must enrol
one: the sign-in view parks the user here until the second step succeeds, so no page (not even
one outside our control) can be reached half-authenticated.
"""

import time
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from audit.services import Actor

# Reviewers and admins hold this permission and clinicians do not: it marks the roles that see
# every patient's case, whom a clinic may require to use two-factor sign-in.
TWO_FACTOR_PERMISSION = "screening.review_flag"
PENDING_KEY = "two_factor_pending"
# The second step must follow the password within this time, or the password is asked again.
PENDING_SECONDS = 5 * 60


@dataclass(frozen=True)
class Pending:
    """A user whose password was right and who still owes a code."""

    user: Any
    backend: str
    next_url: str


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they have enrolled one."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def may_use_two_factor(user: Any) -> bool:
    return bool(user.has_perm(TWO_FACTOR_PERMISSION))


def enrolment_required(user: Any) -> bool:
    """The clinic requires two-factor for this user's role and they have no device yet."""
    return (
        settings.OTP_REQUIRED_FOR_STAFF_ROLES
        and may_use_two_factor(user)
        and confirmed_device(user) is None
    )


def code_owed(user: Any) -> bool:
    """A session of this user must have given a code: they have a device, or must enrol one."""
    if not may_use_two_factor(user):
        return False
    return settings.OTP_REQUIRED_FOR_STAFF_ROLES or confirmed_device(user) is not None


def park(request: HttpRequest, user: Any, next_url: str) -> None:
    """Remember a password-verified user until the second step; nothing is signed in yet."""
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": time.time(),
    }


def pending(request: HttpRequest) -> Pending | None:
    """The parked user, unless the wait expired or the account was deactivated meanwhile."""
    parked = request.session.get(PENDING_KEY)
    if not parked or time.time() - parked["at"] > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=parked["user_id"], is_active=True).first()
    if user is None:
        return None
    return Pending(user=user, backend=parked["backend"], next_url=parked["next"])


def unpark(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def unconfirmed_device(user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled: the same key on every reload until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def check_code(
    *, user: Any, device: TOTPDevice, code: str, during_sign_in: bool, actor: Actor
) -> str | None:
    """None when the code is valid now, else why not. django-otp doubles the wait before the
    next try after each wrong code; a wrong code while signing in is audited as a failure."""
    allowed, _ = device.verify_is_allowed()
    if allowed and verify_token(user, device.persistent_id, code) is not None:
        return None
    if during_sign_in:
        services.record_wrong_code(user=user, throttled=not allowed, actor=actor)
    if not allowed:
        return "Too many wrong codes. Wait a minute, then enter the code your app shows now."
    return "That code is not valid. Enter the code your app shows now."


def qr_svg(uri: str) -> SafeString:
    """The otpauth URI as an inline SVG QR code: attributes only, no style=, so CSP allows it."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", svgclass="acct-qr", lineclass=None
    )
    if "style=" in svg:  # segno has never emitted one; refuse rather than break the CSP
        raise ValueError("QR code SVG carries a style attribute")
    label = escape("QR code for your authenticator app")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308
