"""The one way to write the audit trail. Call it inside the transaction of the action it records."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db import models, transaction

from audit.models import Audit, AuditAction
from audit.selectors import AuditFilter, audit_rows

LOG_PAGE_SIZE = 50


@dataclass(frozen=True)
class Actor:
    """Who is acting and from which address; every service takes one (views build it with
    audit.requests.actor_for, commands from the user they run as)."""

    user: Any  # a signed-in User; AnonymousUser for a failed sign-in
    ip_address: str | None = None


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


def read_audit_log(
    *, audit_filter: AuditFilter, page_number: str | None, actor: Actor, record: bool = True
) -> Page:
    """A page of the audit trail under the filter, newest first; the reading is itself audited
    unless `record` is false (the view audits a filter once per session, not each page)."""
    with transaction.atomic(durable=True):
        page = Paginator(audit_rows(audit_filter), LOG_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        if record:
            record_audit(
                actor=actor,
                action=AuditAction.AUDIT_VIEW,
                detail={"filter": audit_filter.as_dict(), "page": page.number},
            )
    return page


def start_audit_export(*, audit_filter: AuditFilter, actor: Actor) -> None:
    """The download of the audit trail under the filter is audited, with its row count, before
    the first byte is sent."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action=AuditAction.AUDIT_EXPORT,
            detail={"filter": audit_filter.as_dict(), "rows": audit_rows(audit_filter).count()},
        )
