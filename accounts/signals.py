"""Audit of sign-in events.

Signals here and nowhere else: Django's auth and django-axes announce sign-in, sign-out, failed
sign-ins and lockouts only as signals, inside their own views, so each receiver writes its audit
row through record_audit as the event happens.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.models import AuditAction
from audit.requests import client_ip
from audit.services import Actor, record_audit


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_audit(actor=Actor(user, client_ip(request)), action=AuditAction.SIGN_IN, obj=user)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        # accounts.middleware names why it ended a session: idle, expired or two_factor
        reason = getattr(request, "sign_out_reason", None)
        action = AuditAction.IDLE_SIGN_OUT if reason == "idle" else AuditAction.SIGN_OUT
        detail = {"reason": reason} if reason and reason != "idle" else None
        record_audit(actor=Actor(user, client_ip(request)), action=action, obj=user, detail=detail)


@receiver(user_login_failed)
def audit_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    ip = client_ip(request) if request is not None else None
    record_audit(
        actor=Actor(None, ip),
        action=AuditAction.SIGN_IN_FAILED,
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out)
def audit_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    record_audit(
        actor=Actor(None, ip_address),
        action=AuditAction.LOCKOUT,
        username=(username or "")[:150],
    )
