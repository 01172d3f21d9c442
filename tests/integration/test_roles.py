"""The role groups the migration created hold exactly the permissions of accounts.roles."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import PERMISSIONS, ROLES


@pytest.mark.django_db
def test_migrated_groups_hold_exactly_the_role_permissions():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)
    for role, codes in PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(codes), role


def test_each_role_holds_every_permission_of_the_role_below():
    assert set(PERMISSIONS["clinician"]) < set(PERMISSIONS["reviewer"]) < set(PERMISSIONS["admin"])
