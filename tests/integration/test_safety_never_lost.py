"""An urgent safety answer is never lost: a "Yes" to thoughts of death recorded off the entered
path (the form without JavaScript shows every question) still raises SAFETY (CRITERIA.md 4)."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse

from accounts.roles import REVIEWER
from screening.models import Flag, FlagKind, FlagPriority, Visit
from screening.notifications import REVIEW_PERMISSION, reviewer_addresses
from tests.conftest import make_user
from tests.factories import ANSWERS, PatientFactory
from tests.integration.test_screening_form import form_data


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("death_key", "study_path"),
    [("da_death_thoughts", "anhedonia"), ("an_death_thoughts", "depressed_affect")],
)
def test_off_path_death_yes_raises_an_urgent_flag_and_emails_reviewers(
    client, clinician, reviewer, death_key, study_path
):
    patient = PatientFactory(created_by=clinician)
    if study_path == "depressed_affect":  # path A entered: path B's death item is off the path
        answers = {**ANSWERS["comorbid"], death_key: True}
    else:  # path A failed at A1 and path B entered: path A's death item is off the path
        answers = {
            "backache_freq_30d": "not_at_all",
            "da_sad_2wk": "no",
            "an_lost_interest_2wk": "yes",
            "an_duration": "most_of_the_day",
            "an_frequency": "every_day",
            "an_tired": True,
            "an_appetite_lost": True,
            "an_sleep_trouble": False,
            "an_concentration": False,
            "an_worthless": False,
            "an_death_thoughts": False,
            death_key: True,
        }
    client.force_login(clinician)

    response = client.post(reverse("screening:visit_new", args=[patient.pk]), form_data(answers))

    visit = Visit.objects.get(patient=patient)
    assert response.status_code == 302
    assert (visit.path, getattr(visit, death_key), visit.safety_flag) == (study_path, True, True)
    flag = Flag.objects.get(patient=patient, kind=FlagKind.SAFETY)
    assert flag.priority == FlagPriority.URGENT
    page = client.get(response["Location"]).content.decode()
    assert "988" in page
    assert [m.to for m in mail.outbox] == [[reviewer.email]]


@pytest.mark.django_db
def test_safety_email_goes_to_the_users_model_backend_finds_with_the_review_permission(
    clinician, reviewer, admin_user
):
    # reviewer_addresses reads the reviewers in one statement; it must find exactly the users
    # ModelBackend.with_perm finds (active, the permission directly or through a group,
    # superusers only when granted it), each address once.
    review = Permission.objects.get(codename="review_flag", content_type__app_label="screening")
    direct = make_user("direct_grant", None)
    direct.user_permissions.add(review)
    both = make_user("grant_and_group", REVIEWER)
    both.user_permissions.add(review)
    inactive = make_user("gone_reviewer", REVIEWER)
    inactive.is_active = False
    inactive.save()
    User.objects.filter(pk=make_user("no_address", REVIEWER).pk).update(email="")
    User.objects.create_superuser("root_plain", "root@example.org", "x" * 16)
    granted_root = User.objects.create_superuser("root_granted", "groot@example.org", "x" * 16)
    granted_root.user_permissions.add(review)
    shared = make_user("shared_one", REVIEWER)
    User.objects.filter(pk=shared.pk).update(email=reviewer.email)  # one address, two accounts

    expected = sorted(
        {
            user.email
            for user in User.objects.with_perm(
                REVIEW_PERMISSION,
                include_superusers=False,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            if user.email
        }
    )

    assert reviewer_addresses() == expected
    assert expected == sorted(
        [
            reviewer.email,
            admin_user.email,  # the admin role may review too
            "direct_grant@example.org",
            "grant_and_group@example.org",
            "groot@example.org",
        ]
    )
