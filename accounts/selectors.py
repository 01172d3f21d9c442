"""Reads for the user administration pages."""

from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ROLES
from audit.models import Audit, AuditAction


def user_list() -> QuerySet[User]:
    """Every account, active first, with its role groups and two-factor state in 3 queries."""
    return (
        User.objects.annotate(
            has_two_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        )
        .prefetch_related(Prefetch("groups", queryset=Group.objects.filter(name__in=ROLES)))
        .order_by("-is_active", "username")
    )


def search_users(query: str) -> QuerySet[User]:
    """Accounts whose username, first or last name contains every word of `query` (any case)."""
    found = user_list()
    for word in query.split():
        found = found.filter(
            Q(username__icontains=word)
            | Q(first_name__unaccent__icontains=word)
            | Q(last_name__unaccent__icontains=word)
        )
    return found


def user_for_admin(pk: int) -> User:
    """One account with its role groups and two-factor state; User.DoesNotExist if absent."""
    return user_list().get(pk=pk)


def clinicians() -> QuerySet[User]:
    """Everyone who may record visits, former staff included since their visits still count, by
    username: the clinician filter of exports and analytics."""
    return User.objects.with_perm(
        "screening.add_visit",
        is_active=None,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    ).order_by("username")


def password_is_temporary(user: User) -> bool:
    """The user's password was last set by an admin (a new account or a reset), not by them.

    The audit trail is where each password change is recorded, so it is read rather than a copy.
    """
    latest = (
        Audit.objects.filter(object_type="auth.user", object_id=str(user.pk))
        .filter(
            Q(action__in=[AuditAction.USER_CREATE, AuditAction.USER_PASSWORD_RESET])
            | Q(action=AuditAction.USER_CHANGE, detail__change="own_password")
        )
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return latest in {AuditAction.USER_CREATE, AuditAction.USER_PASSWORD_RESET}
