"""Reads for the user administration pages."""

from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ROLES


def user_list() -> QuerySet[User]:
    """Every account, active first, with its role groups and two-factor state in 3 queries."""
    return (
        User.objects.annotate(
            has_two_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        )
        .prefetch_related(Prefetch("groups", queryset=Group.objects.filter(name__in=ROLES)))
        .order_by("-is_active", "username")
    )


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
