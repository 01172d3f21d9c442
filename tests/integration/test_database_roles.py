"""The app's database role cannot rewrite the record; the owner meets the triggers.

Every test runs as the runtime role (tests/conftest.py), as the app does in production, so the
whole suite's writes are ones that role may make. Here PostgreSQL refuses each way an outside
probe rewrote the audit trail, flag events and visits, while the app's own writes still work.
"""

import uuid

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Audit, AuditAction
from config.dbroles import APPEND_ONLY_TABLES, RoleError, grant_runtime_privileges
from patients.models import Patient
from screening.models import Flag, FlagEvent, FlagStatus, RecordedInstrument, Visit
from tests.factories import ANSWERS, FlagFactory, PatientFactory

RUNTIME = settings.DATABASE_RUNTIME_ROLE
# the pgtrigger row triggers, by the names `SET LOCAL pgtrigger.ignore` takes
ROW_TRIGGERS = {
    "audit_audit": "pgtrigger_audit_insert_only_8e805",
    "screening_flagevent": "pgtrigger_flagevent_insert_only_76c7b",
    "screening_recordedinstrument": "pgtrigger_instrument_immutable_68b4c",
    "screening_visit": "pgtrigger_visit_immutable_fa728",
}


@pytest.fixture
def record(reviewer) -> dict[str, int]:
    """One row of each append-only table, made through the ORM as the app makes them."""
    flag = FlagFactory()
    event = FlagEvent.objects.create(flag=flag, actor=reviewer, action="noted", note="first")
    audit = Audit.objects.create(actor=reviewer, username="rev_reviewer", action="flag_view")
    measured = RecordedInstrument.objects.create(
        patient=flag.patient,
        flag=flag,
        instrument="lbp_peg",
        answers={},
        result={},
        positive=False,
        rules_version="2026.1",
        clinician=reviewer,
        administered_at=timezone.now(),
        submission_id=uuid.uuid4(),
    )
    return {
        "audit_audit": audit.pk,
        "screening_flagevent": event.pk,
        "screening_recordedinstrument": measured.pk,
        "screening_visit": flag.visit_id,
    }


def refusal(*statements: str, using: str = "default") -> str:
    """PostgreSQL's error for the last statement, run after the others in one savepoint (so the
    test's transaction stays usable); fails the test if nothing is refused."""

    def run() -> None:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    with pytest.raises(DatabaseError) as error:
        run()
    return str(error.value).splitlines()[0]


@pytest.mark.django_db
def test_tests_run_as_a_runtime_role_that_is_neither_owner_nor_superuser():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb "
            "FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (RUNTIME, False, False, False, False)
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        )
        owners = {row[0] for row in cursor.fetchall()}
    assert owners == {settings.DATABASES["owner"]["USER"]}
    assert RUNTIME not in owners


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_update_is_refused_when_the_runtime_role_sets_pgtrigger_ignore(record, table):
    column = "criteria_version" if table == "screening_visit" else "id"
    message = refusal(
        f"SET LOCAL pgtrigger.ignore = '{{{ROW_TRIGGERS[table]}}}'",
        f"UPDATE {table} SET {column} = {column} WHERE id = {record[table]}",  # noqa: S608
    )
    assert message == f"permission denied for table {table}"


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_delete_is_refused_when_the_runtime_role_deletes(record, table):
    message = refusal(f"DELETE FROM {table} WHERE id = {record[table]}")  # noqa: S608
    assert message == f"permission denied for table {table}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [record[table]])  # noqa: S608
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_is_refused_when_the_runtime_role_truncates(record, table):
    assert refusal(f"TRUNCATE {table}") == f"permission denied for table {table}"
    assert refusal(f"TRUNCATE {table} CASCADE") == f"permission denied for table {table}"
    assert Audit.objects.exists()
    assert FlagEvent.objects.exists()
    assert Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "ALTER TABLE {table} DISABLE TRIGGER USER",
        "ALTER TABLE {table} DISABLE TRIGGER {trigger}",
        "ALTER TABLE {table} DISABLE TRIGGER refuse_truncate",
        "ALTER TABLE {table} OWNER TO {runtime}",
        "DROP TABLE {table}",
    ],
)
def test_triggers_and_table_cannot_be_altered_when_the_runtime_role_owns_no_table(
    record, table, statement
):
    sql = statement.format(table=table, trigger=ROW_TRIGGERS[table], runtime=RUNTIME)
    assert refusal(sql) == f"must be owner of table {table}"


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_a_trigger_cannot_be_dropped_or_added_when_the_runtime_role_asks(table):
    assert refusal(f"DROP TRIGGER refuse_truncate ON {table}") == (
        f"must be owner of relation {table}"
    )
    assert refusal(
        f"CREATE TRIGGER sneak BEFORE INSERT ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
    ) == (f"permission denied for table {table}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("SET ROLE {owner}", 'permission denied to set role "{owner}"'),
        (
            "SET session_replication_role = replica",
            'permission denied to set parameter "session_replication_role"',
        ),
        ("ALTER ROLE {runtime} SUPERUSER", "permission denied to alter role"),
        ("ALTER ROLE {runtime} BYPASSRLS", "permission denied to alter role"),
        ("CREATE TABLE public.sneak (id int)", "permission denied for schema public"),
        (
            "UPDATE django_migrations SET name = name",
            "permission denied for table django_migrations",
        ),
    ],
)
def test_no_way_round_the_privileges_is_open_when_the_runtime_role_looks_for_one(
    statement, message
):
    names = {"owner": settings.DATABASES["owner"]["USER"], "runtime": RUNTIME}
    assert refusal(statement.format(**names)) == message.format(**names)


@pytest.mark.django_db
def test_granting_itself_a_privilege_changes_nothing_when_the_runtime_role_tries():
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_audit TO {RUNTIME}")
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) p "
            "WHERE has_table_privilege(current_user, 'audit_audit', p)"
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_the_app_writes_what_it_must_when_connected_as_the_runtime_role(client, admin_user):
    """Visits, flags (updated), events and audit rows, patients, users, sessions, sign-in
    lockout records, the cache table and two-factor devices."""
    client.force_login(admin_user)  # a session row
    patient = PatientFactory(created_by=admin_user)
    form = {
        "submission_id": str(uuid.uuid4()),
        "visit_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        **{
            k: ("yes" if v else "no") if v in (True, False) else v
            for k, v in ANSWERS["back_pain"].items()
        },
    }
    response = client.post(f"/patients/{patient.pk}/visits/new/", form)
    assert response.status_code == 302
    visit = Visit.objects.get(patient=patient)  # with its flag, flag event and audit row
    flag = Flag.objects.get(visit=visit)
    assert FlagEvent.objects.filter(flag=flag, action="opened").exists()
    assert Audit.objects.filter(action=AuditAction.VISIT_RECORD).exists()

    response = client.post(f"/review/{flag.pk}/claim/")  # an UPDATE of the flag
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.assignee) == (FlagStatus.IN_REVIEW, admin_user)

    Patient.objects.filter(pk=patient.pk).update(given_name="Renamed")
    user = User.objects.create_user("new_clinician", password="a-long-enough-password")
    User.objects.filter(pk=user.pk).update(first_name="New")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.delete()
    cache.set("probe", 1)
    assert cache.get("probe") == 1
    cache.clear()
    client.logout()
    assert (
        client.post("/accounts/login/", {"username": "nobody", "password": "x"}).status_code == 200
    )
    assert AccessAttempt.objects.filter(username="nobody").exists()
    AccessAttempt.objects.filter(username="nobody").delete()  # an admin clearing a lockout
    Session.objects.all().delete()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_triggers_refuse_the_owner_too_when_it_rewrites_the_record(record, table):
    """The owner holds every privilege; the row and statement triggers still refuse."""
    column = "criteria_version" if table == "screening_visit" else "id"
    verb = "update" if table == "screening_visit" else "update or delete"
    row = record[table]
    update = f"UPDATE {table} SET {column} = {column} WHERE id = {row}"  # noqa: S608
    assert refusal(update, using="owner") == f"pgtrigger: Cannot {verb} rows from {table} table"
    assert refusal(f"TRUNCATE {table} CASCADE", using="owner") == (
        f"Cannot truncate {table}: its rows are the record"
    )
    assert refusal("TRUNCATE auth_user CASCADE", using="owner").startswith("Cannot truncate ")
    if table != "screening_visit":
        delete = f"DELETE FROM {table} WHERE id = {row}"  # noqa: S608
        assert refusal(delete, using="owner") == (
            f"pgtrigger: Cannot update or delete rows from {table} table"
        )
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [row])  # noqa: S608
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_grant_refuses_a_runtime_role_that_is_the_owner():
    owner = settings.DATABASES["owner"]["USER"]
    with pytest.raises(RoleError, match="both connect as"):
        grant_runtime_privileges(connections["owner"], owner)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_grant_takes_back_a_privilege_granted_by_hand_when_run_again():
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, TRUNCATE ON audit_audit TO {RUNTIME}")
    grant_runtime_privileges(connections["owner"], RUNTIME)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'TRUNCATE']) p "
            "WHERE has_table_privilege(current_user, 'audit_audit', p)"
        )
        assert [row[0] for row in cursor.fetchall()] == ["SELECT", "INSERT"]
