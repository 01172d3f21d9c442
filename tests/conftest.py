"""Fixtures shared by every test: actors in their real role groups, the test database, made by
the owner role and used by the tests as the app's runtime role."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal, sql_flush
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend
from django.test import TransactionTestCase, override_settings

from accounts.roles import ADMIN, CLINICIAN, REVIEWER, sync_role_groups
from config.dbroles import APPEND_ONLY_TABLES, TRUNCATE_TRIGGER, grant_runtime_privileges

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


CREDENTIALS = ("USER", "PASSWORD")
_runtime_credentials: dict[str, Any] = {}


def _connect_default_as(credentials: dict[str, Any]) -> None:
    """From its next connection on, the default alias logs in with these credentials (same
    server, same database); every thread's connection reads the same settings dict."""
    for open_connection in connections.all(initialized_only=True):
        open_connection.close()
    settings.DATABASES["default"].update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Two test runs at once (two checkouts, one embedded server) must not share a database, and
    the owner creates and migrates it, as migrations run in production."""
    default = settings.DATABASES["default"]
    default.setdefault("TEST", {})
    default["TEST"]["NAME"] = f"test_spine_mood_{os.getpid()}"
    if "owner" not in settings.DATABASES:
        pytest.exit("tests need the owner role: set MIGRATE_DATABASE_URL beside DATABASE_URL", 2)
    _runtime_credentials.update({key: default[key] for key in CREDENTIALS})
    _connect_default_as({key: settings.DATABASES["owner"][key] for key in CREDENTIALS})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The owner has created and migrated the test database: grant the runtime role what
    production grants it, run every test as that role, and let the owner drop the database."""
    with django_db_blocker.unblock():
        grant_runtime_privileges(connection, _runtime_credentials["USER"])
        _connect_default_as(_runtime_credentials)
    yield
    with django_db_blocker.unblock():
        _connect_default_as({key: settings.DATABASES["owner"][key] for key in CREDENTIALS})


def owner_connection() -> psycopg.Connection[Any]:
    """A new connection to the test database as the owner, outside Django's connection handler:
    Django bars a test from the aliases it did not declare, and most declare only "default"."""
    owner = settings.DATABASES["owner"]
    params = load_backend(owner["ENGINE"]).DatabaseWrapper(owner).get_connection_params()
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def audit_store_down(db: None) -> Iterator[None]:
    """Every new audit row is refused until the test ends: the owner takes the app's INSERT on
    audit_audit away, which PostgreSQL applies at once, even inside the test's transaction."""
    role = _runtime_credentials["USER"]
    with owner_connection() as owner:
        owner.execute(f"REVOKE INSERT ON audit_audit FROM {role}")
        try:
            yield
        finally:
            owner.execute(f"GRANT INSERT ON audit_audit TO {role}")


def _empty_database_as_owner(test_case: TransactionTestCase) -> None:
    """Django's flush after a transactional test, made as the owner: the runtime role the tests
    run as may not TRUNCATE, and the record's TRUNCATE triggers are lifted inside the one
    transaction that empties the tables (only an owner can). Then, as flush does, recreate
    content types and permissions (as the runtime role)."""
    assert test_case._databases_names(include_mirrors=False) == [DEFAULT_DB_ALIAS]
    statements = sql_flush(
        no_style(),
        connection,  # only to list the tables, which the runtime role may
        reset_sequences=False,
        allow_cascade=test_case.available_apps is not None,
    )
    with owner_connection() as owner, owner.transaction():
        for table in APPEND_ONLY_TABLES:
            owner.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRUNCATE_TRIGGER}")
        for statement in statements:
            owner.execute(statement)
        for table in APPEND_ONLY_TABLES:
            owner.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRUNCATE_TRIGGER}")
    if test_case.available_apps is None and not test_case.serialized_rollback:
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)


@pytest.fixture(scope="session", autouse=True)
def _flush_as_owner() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _empty_database_as_owner)
        yield


def force_login_with_code(client: Any, user: User, device: Any) -> None:
    """Sign `user` in as if they had also given a code from `device` (django_otp.login)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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


def api_token(name: str, scope: str = "read") -> str:
    """A new API client's bearer token (interop), created as manage.py create_api_client does."""
    from audit.services import Actor
    from interop.services import create_api_client

    return create_api_client(name=name, scope=scope, actor=Actor(user=None), via="command").token


@pytest.fixture
def read_token(db: None) -> str:
    return api_token("ehr-read", "read")


@pytest.fixture
def write_token(db: None) -> str:
    return api_token("ehr-write", "write")
