"""The exports and analytics pages offer the same clinicians: everyone who may record visits,
former staff included, and nobody else."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.roles import CLINICIAN
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _offered(page: str) -> list[str]:
    select = re.search(r'<select name="clinician".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_both_filters_list_the_same_people_when_staff_left_or_set_up(client, admin_user):
    make_user("current_clinician", CLINICIAN)
    former = make_user("former_clinician", CLINICIAN)
    former.is_active = False
    former.save()
    make_user("no_role", None)
    User.objects.create_superuser("setup", "setup@example.org", "x" * 16)
    client.force_login(admin_user)

    exports = _offered(client.get(reverse("exports:exports")).content.decode())
    analytics = _offered(client.get(reverse("analytics:analytics")).content.decode())

    assert exports == analytics == ["ad_admin", "current_clinician", "former_clinician"]
