"""The one way to write the audit trail. Call it inside the transaction of the action it records."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import HttpRequest

from audit.models import Audit, AuditAction


@dataclass(frozen=True)
class Actor:
    """Who is acting and from which address; every service takes one."""

    user: Any  # a signed-in User; AnonymousUser for a failed sign-in
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        return cls(user=request.user, ip_address=client_ip(request))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (a trusted proxy sets REMOTE_ADDR via gunicorn)."""
    return request.META.get("REMOTE_ADDR") or None


def record_audit(
    *,
    actor: Actor,
    action: AuditAction,
    obj: models.Model | None = None,
    patient: models.Model | None = None,
    username: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Audit:
    """Insert one audit row; never pass PHI in `detail` (ids, counts and codes only)."""
    user = actor.user
    signed_in = isinstance(user, AbstractBaseUser) and not isinstance(user, AnonymousUser)
    return Audit.objects.create(
        actor=user if signed_in else None,
        username=username if username is not None else (user.get_username() if signed_in else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        patient=patient,
        ip_address=actor.ip_address,
        detail=detail or {},
    )
