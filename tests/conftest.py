"""Fixtures shared by every test: actors in their real role groups, the test database name."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import override_settings

from accounts.roles import ADMIN, CLINICIAN, REVIEWER, sync_role_groups

TEST_PASSWORD = "correct-horse-battery-staple"
E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests need rows the live server's thread can see: committed, not rolled back."""
    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _role_groups(request: pytest.FixtureRequest) -> None:
    """A transactional test ends with a flush that empties the role groups; a test that runs
    after one (pytest may interleave them) finds them again."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and not fixtures & {"db", "transactional_db", "live_server"}:
        return  # no database
    transactional = bool(fixtures & {"transactional_db", "live_server"}) or (
        marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not Group.objects.exists():
        sync_role_groups()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Real hashing costs ~0.3 s a user; tests check roles and flows, not hash strength."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Two test runs at once (two checkouts, one embedded server) must not share a database."""
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})
    settings.DATABASES["default"]["TEST"]["NAME"] = f"test_spine_mood_{os.getpid()}"


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(
        username=username, password=TEST_PASSWORD, email=f"{username}@example.org"
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def clinician(db: None) -> User:
    return make_user("dr_clinician", CLINICIAN)


@pytest.fixture
def reviewer(db: None) -> User:
    return make_user("rev_reviewer", REVIEWER)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("ad_admin", ADMIN)


@pytest.fixture
def no_role_user(db: None) -> User:
    return make_user("no_role", None)
