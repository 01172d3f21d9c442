"""User administration: create with a role, change the role, deactivate, reset a password; each
audited, none deleting anyone, and no admin able to lock themselves out."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.roles import ADMIN, CLINICIAN, REVIEWER
from audit.models import Audit, AuditAction
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "plum-orchard-lantern-42"


def _roles(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def _create(client, **overrides):
    data = {
        "username": "nurse_ng",
        "first_name": "Ada",
        "last_name": "Ng",
        "email": "ada.ng@example.org",
        "role": CLINICIAN,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("user_new"), data)


def test_users_page_lists_accounts_with_role_status_and_two_factor(client, admin_user, clinician):
    clinician.is_active = False
    clinician.save()
    client.force_login(admin_user)
    response = client.get(reverse("users"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "dr_clinician" in body
    assert "Deactivated" in body
    assert "Clinician" in body
    assert "of 2 users" in body


def test_users_page_is_forbidden_when_a_reviewer_opens_it(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("users")).status_code == 403
    assert client.get(reverse("user_new")).status_code == 403


def test_created_user_has_the_role_and_can_sign_in_with_the_temporary_password(client, admin_user):
    client.force_login(admin_user)
    response = _create(client, role=REVIEWER)
    user = User.objects.get(username="nurse_ng")
    assert response.status_code == 302
    assert response["Location"] == reverse("user_edit", args=[user.pk])
    assert _roles(user) == [REVIEWER]
    assert (user.first_name, user.email, user.is_active) == ("Ada", "ada.ng@example.org", True)
    row = Audit.objects.get(action=AuditAction.USER_CREATE)
    assert (row.actor, row.object_id, row.detail) == (admin_user, str(user.pk), {"role": REVIEWER})
    client.logout()
    signed_in = client.post("/accounts/login/", {"username": "nurse_ng", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw-1", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("nurse_ng_pass", "too similar"),
        ("aaaaaaaaaaaa", "at least 6 different characters"),
        ("abcabcabcabc", "at least 6 different characters"),
        ("Nurse.NG.winter-2025", "Do not use your username"),
    ],
)
def test_weak_temporary_password_is_refused_with_the_reason_when_creating(
    client, admin_user, password, message
):
    client.force_login(admin_user)
    response = _create(client, password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="nurse_ng").exists()
    assert not Audit.objects.filter(action=AuditAction.USER_CREATE).exists()


def test_duplicate_username_in_another_case_is_refused_when_creating(client, admin_user):
    client.force_login(admin_user)
    response = _create(client, username="AD_ADMIN")
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_unknown_role_is_refused_and_the_answers_kept_when_creating(client, admin_user):
    client.force_login(admin_user)
    response = _create(client, role="superuser")
    body = response.content.decode()
    assert "Choose one of the three roles." in body
    assert 'value="ada.ng@example.org"' in body
    assert not User.objects.filter(username="nurse_ng").exists()


def test_role_change_replaces_the_role_and_is_audited(client, admin_user, clinician):
    client.force_login(admin_user)
    response = client.post(reverse("user_edit", args=[clinician.pk]), {"role": REVIEWER})
    assert response.status_code == 302
    assert _roles(clinician) == [REVIEWER]
    row = Audit.objects.get(action=AuditAction.USER_CHANGE)
    assert row.detail == {"role": REVIEWER, "previous_role": CLINICIAN}
    assert row.object_id == str(clinician.pk)


def test_new_role_takes_effect_on_the_users_next_page(client, admin_user, clinician):
    client.force_login(admin_user)
    client.post(reverse("user_edit", args=[clinician.pk]), {"role": ADMIN})
    client.force_login(clinician)
    assert client.get(reverse("audit:log")).status_code == 200


def test_admin_cannot_remove_their_own_admin_role(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("user_edit", args=[admin_user.pk]), {"role": CLINICIAN})
    assert response.status_code == 200
    assert "You cannot remove your own admin role" in response.content.decode()
    assert _roles(admin_user) == [ADMIN]
    assert not Audit.objects.filter(action=AuditAction.USER_CHANGE).exists()


def test_deactivated_user_is_kept_cannot_sign_in_and_loses_their_session(
    client, admin_user, clinician
):
    client.force_login(clinician)
    other = client.__class__()
    other.force_login(admin_user)
    confirm = other.get(reverse("user_deactivate", args=[clinician.pk]))
    assert "Deactivate dr_clinician?" in confirm.content.decode()
    assert other.post(reverse("user_deactivate", args=[clinician.pk])).status_code == 302
    clinician.refresh_from_db()
    assert clinician.is_active is False
    assert Audit.objects.filter(
        action=AuditAction.USER_DEACTIVATE, object_id=str(clinician.pk), actor=admin_user
    ).exists()
    # the open session ends on its next request, and the password no longer opens one
    assert client.get(reverse("patients:search"))["Location"].startswith("/accounts/login/")
    refused = client.post(
        "/accounts/login/", {"username": "dr_clinician", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 200
    # the audit still names them
    log = other.get(reverse("audit:log")).content.decode()
    assert "dr_clinician" in log


def test_admin_cannot_deactivate_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("user_deactivate", args=[admin_user.pk]), follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert not Audit.objects.filter(action=AuditAction.USER_DEACTIVATE).exists()


def test_reactivated_user_can_sign_in_again(client, admin_user, clinician):
    client.force_login(admin_user)
    client.post(reverse("user_deactivate", args=[clinician.pk]))
    client.post(reverse("user_reactivate", args=[clinician.pk]))
    clinician.refresh_from_db()
    assert clinician.is_active is True
    assert Audit.objects.get(action=AuditAction.USER_CHANGE).detail == {"active": True}


def test_password_reset_sets_a_temporary_password_lifts_a_lockout_and_is_audited(
    client, admin_user, clinician
):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "dr_clinician", "password": "wrong-guess-1"})
    assert AccessAttempt.objects.filter(username="dr_clinician").exists()
    client.force_login(admin_user)
    response = client.post(
        reverse("user_password", args=[clinician.pk]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    row = Audit.objects.get(action=AuditAction.USER_PASSWORD_RESET)
    assert (row.actor, row.object_id, row.detail) == (
        admin_user,
        str(clinician.pk),
        {"unlocked": True},
    )
    assert NEW_PASSWORD not in str(row.detail)
    client.logout()
    signed_in = client.post(
        "/accounts/login/", {"username": "dr_clinician", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_short_reset_password_is_refused_with_the_reason(client, admin_user, clinician):
    client.force_login(admin_user)
    response = client.post(
        reverse("user_password", args=[clinician.pk]),
        {"new_password1": "Sh0rt-pass", "new_password2": "Sh0rt-pass"},
    )
    assert "at least 12 characters" in response.content.decode()
    clinician.refresh_from_db()
    assert clinician.check_password(TEST_PASSWORD)
    assert not Audit.objects.filter(action=AuditAction.USER_PASSWORD_RESET).exists()


def test_user_changes_its_own_password_when_the_old_one_is_right(client, clinician):
    client.force_login(clinician)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.check_password(NEW_PASSWORD)
    # still signed in after the change
    assert client.get(reverse("patients:search")).status_code == 200
    assert Audit.objects.get(action=AuditAction.USER_CHANGE).detail == {"change": "own_password"}


def test_unknown_user_id_is_a_404_on_every_user_page(client, admin_user):
    client.force_login(admin_user)
    for name in ("user_edit", "user_deactivate", "user_password"):
        assert client.get(reverse(name, args=[987654])).status_code == 404


def test_users_are_found_by_part_of_a_username_or_name_and_the_search_is_audited(
    client, admin_user, clinician
):
    User.objects.create_user("rlopez", first_name="Rosa", last_name="López")
    client.force_login(admin_user)

    page = client.get(reverse("users"), {"q": "lopez"}).content.decode()

    assert "rlopez" in page
    assert clinician.username not in page
    assert "\u20131 of 1 user<" in page
    assert 'value="lopez"' in page  # the box keeps the search
    audit = Audit.objects.get(action=AuditAction.USER_SEARCH)
    assert audit.detail == {"results": 1, "page": 1}
    assert "lopez" not in str(audit.detail)
    by_username = client.get(reverse("users"), {"q": "RLOP"}).content.decode()
    assert "rlopez" in by_username


def test_a_user_search_without_matches_says_so(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("users"), {"q": "zebedee"}).content.decode()

    assert "No user matches &ldquo;zebedee&rdquo;." in page
    assert not Audit.objects.filter(action=AuditAction.USER_SEARCH, detail__results__gt=0).exists()


def test_a_user_search_the_database_cannot_hold_gets_a_message_not_an_error(
    client, admin_user, clinician
):
    client.force_login(admin_user)

    response = client.get(reverse("users"), {"q": "dr\x00clinician"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "That search cannot be used; type a username or a name." in page
    assert "dr_clinician" in page  # the whole list, unsearched
    assert not Audit.objects.filter(action=AuditAction.USER_SEARCH).exists()
