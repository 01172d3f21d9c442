"""accounts.backends.PermissionBackend grants exactly what Django's ModelBackend grants, in one
query; ModelBackend still signs people in; a role change takes effect on the next request."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from accounts.backends import PermissionBackend
from accounts.roles import ADMIN, CLINICIAN, PERMISSIONS, REVIEWER
from tests.conftest import TEST_PASSWORD, make_user


def _fresh(user: User) -> User:
    """The user as the next request loads it: no permission cache."""
    return User.objects.get(pk=user.pk)


def _both(user: User) -> tuple[set[str], set[str]]:
    return (
        PermissionBackend().get_all_permissions(_fresh(user)),
        ModelBackend().get_all_permissions(_fresh(user)),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [CLINICIAN, REVIEWER, ADMIN])
def test_role_permissions_match_model_backend_when_user_holds_a_role(role):
    user = make_user(f"user_{role}", role)

    ours, django_s = _both(user)

    assert ours == django_s == set(PERMISSIONS[role])


@pytest.mark.django_db
def test_direct_and_group_permissions_are_combined_when_user_holds_both():
    user = make_user("mixed", CLINICIAN)
    user.user_permissions.add(Permission.objects.get(codename="view_audit"))
    # the same permission again through a second group: listed once
    extra = Group.objects.create(name="extra")
    extra.permissions.add(Permission.objects.get(codename="add_visit"))
    user.groups.add(extra)

    ours, django_s = _both(user)

    assert ours == django_s == {*PERMISSIONS[CLINICIAN], "audit.view_audit"}


@pytest.mark.django_db
def test_no_permissions_when_user_holds_no_role_or_is_inactive():
    no_role = make_user("nobody", None)
    inactive = make_user("former", ADMIN)
    inactive.is_active = False
    inactive.save()

    assert _both(no_role) == (set(), set())
    assert _both(inactive) == (set(), set())
    assert not _fresh(inactive).has_perm("screening.add_visit")


@pytest.mark.django_db
def test_superuser_holds_every_permission():
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)

    ours, django_s = _both(root)

    assert ours == django_s
    assert len(ours) == Permission.objects.count()


@pytest.mark.django_db
def test_permissions_are_read_in_one_query_per_request(django_assert_num_queries):
    user = _fresh(make_user("reader", REVIEWER))

    with django_assert_num_queries(1):  # a denied check reaches ModelBackend too: no query
        assert user.has_perm("screening.review_flag")
        assert user.has_perms(["screening.add_visit", "screening.view_flag"])
        assert not user.has_perm("audit.view_audit")
        assert user.has_module_perms("screening")
        assert not user.has_module_perms("auth")


@pytest.mark.django_db
def test_role_change_applies_on_the_next_request_when_signed_in():
    user = make_user("promoted", CLINICIAN)
    client = Client()
    client.force_login(user)
    assert client.get("/review/").status_code == 403

    user.groups.set([Group.objects.get(name=REVIEWER)])

    assert client.get("/review/").status_code == 200


@pytest.mark.django_db
def test_sign_in_still_goes_through_model_backend_so_existing_sessions_stay_valid(client):
    make_user("signing_in", CLINICIAN)

    client.post("/accounts/login/", {"username": "signing_in", "password": TEST_PASSWORD})

    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/patients/").status_code == 200
