"""User administration: every change to an account, with its audit row, in one transaction.

Users are never deleted: the audit trail names them for as long as it is kept.
"""

from axes.utils import reset as reset_lockout
from django.contrib.auth.models import Group, User
from django.core.paginator import Page, Paginator
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors
from accounts.roles import ADMIN, ROLES
from audit.models import AuditAction
from audit.services import Actor, record_audit


class SelfLockout(Exception):
    """An admin tried to deactivate themselves or give up their own admin role."""


def role_of(user: User) -> str | None:
    """The user's role group name, or None for a user without one."""
    names = [group.name for group in user.groups.all() if group.name in ROLES]
    return names[0] if names else None


def _lock(user: User) -> User:
    # Two admins editing one account at once queue here instead of overwriting each other.
    return User.objects.select_for_update().get(pk=user.pk)


def _refuse_self_lockout(*, target: User, actor: Actor, new_role: str | None = None) -> None:
    if target.pk != getattr(actor.user, "pk", None):
        return
    if new_role is None:
        raise SelfLockout("You cannot deactivate your own account; ask another administrator.")
    if new_role != ADMIN:
        raise SelfLockout(
            "You cannot remove your own admin role; ask another administrator to change it."
        )


@transaction.atomic(durable=True)
def create_user(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    password: str,
    actor: Actor,
) -> User:
    """A new active user in exactly one role, with the temporary password, and its audit row."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    record_audit(actor=actor, action=AuditAction.USER_CREATE, obj=user, detail={"role": role})
    return user


@transaction.atomic(durable=True)
def change_role(*, user: User, role: str, actor: Actor) -> User:
    """The user holds exactly `role` afterwards; an admin cannot demote themselves."""
    user = _lock(user)
    _refuse_self_lockout(target=user, actor=actor, new_role=role)
    previous = role_of(user)
    if previous != role:
        user.groups.remove(*Group.objects.filter(name__in=ROLES))
        user.groups.add(Group.objects.get(name=role))
        record_audit(
            actor=actor,
            action=AuditAction.USER_CHANGE,
            obj=user,
            detail={"role": role, "previous_role": previous},
        )
    return user


@transaction.atomic(durable=True)
def deactivate(*, user: User, actor: Actor) -> User:
    """The account can no longer sign in and its sessions end; the row stays for the audit."""
    user = _lock(user)
    _refuse_self_lockout(target=user, actor=actor)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_audit(actor=actor, action=AuditAction.USER_DEACTIVATE, obj=user)
    return user


@transaction.atomic(durable=True)
def reactivate(*, user: User, actor: Actor) -> User:
    """The account may sign in again with its existing password."""
    user = _lock(user)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_audit(actor=actor, action=AuditAction.USER_CHANGE, obj=user, detail={"active": True})
    return user


@transaction.atomic(durable=True)
def reset_password(*, user: User, password: str, actor: Actor) -> User:
    """The user's password is `password` (validated by the form), their sessions end and any
    sign-in lockout is lifted."""
    user = _lock(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    unlocked = reset_lockout(username=user.get_username())
    record_audit(
        actor=actor,
        action=AuditAction.USER_PASSWORD_RESET,
        obj=user,
        detail={"unlocked": bool(unlocked)},
    )
    return user


@transaction.atomic(durable=True)
def change_own_password(*, user: User, password: str, actor: Actor) -> User:
    """A signed-in user's new password (validated by the form), audited as a change."""
    user = _lock(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_audit(
        actor=actor, action=AuditAction.USER_CHANGE, obj=user, detail={"change": "own_password"}
    )
    return user


@transaction.atomic(durable=True)
def confirm_two_factor(*, device: TOTPDevice, actor: Actor) -> TOTPDevice:
    """The device becomes the user's only one (the code was already checked), audited."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_audit(
        actor=actor,
        action=AuditAction.USER_CHANGE,
        obj=device.user,
        detail={"two_factor": "enrolled"},
    )
    return device


@transaction.atomic(durable=True)
def remove_two_factor(*, user: User, actor: Actor) -> int:
    """The user has no device (lost phone); they enrol again at the next sign-in if required."""
    user = _lock(user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        record_audit(
            actor=actor,
            action=AuditAction.USER_CHANGE,
            obj=user,
            detail={"two_factor": "removed"},
        )
    return removed


@transaction.atomic(durable=True)
def record_wrong_code(*, user: User, throttled: bool, actor: Actor) -> None:
    """A wrong (or throttled) two-factor code at sign-in, audited as a failed sign-in of the user
    it was typed for; nobody is signed in yet, so the actor's user is ignored."""
    record_audit(
        actor=Actor(None, actor.ip_address),
        action=AuditAction.SIGN_IN_FAILED,
        username=user.get_username(),
        detail={"step": "two_factor", "throttled": throttled},
    )


USERS_PAGE_SIZE = 50


def search_users(*, query: str, page_number: int | str | None, actor: Actor) -> Page:
    """A page of accounts matching `query` (selectors.search_users); the audit row keeps the
    count and the page, not the text, as patient search does."""
    with transaction.atomic(durable=True):
        page = Paginator(selectors.search_users(query), USERS_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        record_audit(
            actor=actor,
            action=AuditAction.USER_SEARCH,
            detail={"results": page.paginator.count, "page": page.number},
        )
    return page
