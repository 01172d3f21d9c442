"""Writes of the interop app: API clients created and revoked, and every API call audited."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditAction
from audit.services import Actor, record_audit
from interop import tokens
from interop.models import ApiClient, Scope

# last_used_at is refreshed at most this often, so a busy client does not write its row per call
_LAST_USED_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedClient:
    """The client and its token, which exists only here: it is shown once and never stored."""

    client: ApiClient
    token: str


def create_api_client(*, name: str, scope: str, actor: Actor, via: str = "page") -> CreatedClient:
    """Create a client with a new token; audited as API_CLIENT_CREATE (the token never is)."""
    if scope not in Scope.values:
        raise ValueError(f"scope must be one of {', '.join(Scope.values)}")
    token = tokens.new_token()
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    with transaction.atomic(durable=True):
        client = ApiClient(
            name=name,
            scope=scope,
            token_prefix=token[: tokens.PREFIX_LENGTH],
            token_hash=tokens.token_hash(token),
            created_by=user,
        )
        client.full_clean()
        client.save()
        record_audit(
            actor=actor,
            action=AuditAction.API_CLIENT_CREATE,
            obj=client,
            detail={
                "client_id": client.pk,
                "name": client.name,
                "scope": client.scope,
                "via": via,
            },
        )
    return CreatedClient(client=client, token=token)


def revoke_api_client(*, client_id: int, actor: Actor) -> ApiClient:
    """Revoke the client's token from now on; revoking twice changes nothing and audits once."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    with transaction.atomic(durable=True):
        client = ApiClient.objects.select_for_update().get(pk=client_id)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.revoked_by = user
            client.save(update_fields=["revoked_at", "revoked_by"])
            record_audit(
                actor=actor,
                action=AuditAction.API_CLIENT_REVOKE,
                obj=client,
                detail={"client_id": client.pk, "name": client.name},
            )
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The client (revoked or not) whose token this is, or None."""
    for client in ApiClient.objects.filter(token_prefix=token[: tokens.PREFIX_LENGTH]):
        if tokens.same_hash(token, client.token_hash):
            return client
    return None


def record_api_call(
    *,
    client: ApiClient,
    ip_address: str | None,
    method: str,
    resource: str,
    interaction: str,
    status: int,
    patient: Model | None = None,
    obj: Model | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """One API_CALL row naming the client, what it did, the answer's status and the patient."""
    detail = {
        "client_id": client.pk,
        "client": client.name,
        "method": method,
        "resource": resource,
        "interaction": interaction,
        "status": status,
        **(extra or {}),
    }
    now = timezone.now()
    with transaction.atomic():
        record_audit(
            actor=Actor(user=None, ip_address=ip_address),
            action=AuditAction.API_CALL,
            obj=obj,
            patient=patient,
            username=f"api:{client.name}"[:150],
            detail=detail,
        )
        if client.last_used_at is None or now - client.last_used_at >= _LAST_USED_EVERY:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
