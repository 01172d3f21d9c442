"""FlagEvent, Audit and Visit rows are the record: Postgres refuses to change or delete them.

The app's own code paths (the ORM's update, delete and save) run as the runtime role, which lacks
the privileges; the owner meets the triggers instead (test_database_roles.py).
"""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Audit, AuditAction
from screening.models import FlagEvent, Visit
from tests.factories import FlagFactory, VisitFactory

pytestmark = pytest.mark.django_db

CHANGES = {
    Audit: {"username": "someone_else"},
    FlagEvent: {"note": "rewritten"},
    Visit: {"criteria_version": "rewritten"},
}


@pytest.fixture
def event(reviewer) -> FlagEvent:
    return FlagEvent.objects.create(
        flag=FlagFactory(), actor=reviewer, action="noted", note="first word"
    )


@pytest.fixture
def audit(reviewer) -> Audit:
    return Audit.objects.create(
        actor=reviewer, username="rev_reviewer", action=AuditAction.FLAG_VIEW
    )


@pytest.fixture
def visit() -> Visit:
    return VisitFactory()


def refused(change) -> str:
    """The database error a change raises; the savepoint keeps the test's transaction usable."""
    with (
        pytest.raises(DatabaseError, match="permission denied for table") as error,
        transaction.atomic(),
    ):
        change()
    return str(error.value)


@pytest.mark.parametrize("model_fixture", ["event", "audit", "visit"])
def test_update_is_refused_by_postgres_when_made_through_the_orm(request, model_fixture):
    row = request.getfixturevalue(model_fixture)
    message = refused(lambda: type(row).objects.filter(pk=row.pk).update(**CHANGES[type(row)]))
    assert f"permission denied for table {type(row)._meta.db_table}" in message


@pytest.mark.parametrize("model_fixture", ["event", "audit", "visit"])
def test_delete_is_refused_by_postgres_when_made_through_the_orm(request, model_fixture):
    row = request.getfixturevalue(model_fixture)
    refused(lambda: type(row).objects.filter(pk=row.pk).delete())
    refused(row.delete)
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model_fixture", ["event", "audit", "visit"])
def test_save_of_a_changed_row_is_refused_when_made_on_the_instance(request, model_fixture):
    row = request.getfixturevalue(model_fixture)
    for field, value in CHANGES[type(row)].items():
        setattr(row, field, value)
    refused(row.save)


@pytest.mark.parametrize("model_fixture", ["event", "audit"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET action = action", "DELETE FROM {table}"])
def test_raw_sql_is_refused_by_postgres_when_it_changes_rows(request, model_fixture, statement):
    row = request.getfixturevalue(model_fixture)
    table = type(row)._meta.db_table

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement.format(table=table) + " WHERE id = %s", [row.pk])

    refused(run)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_new_rows_are_still_accepted_when_history_is_append_only(event, reviewer):
    FlagEvent.objects.create(flag=event.flag, actor=reviewer, action="noted", note="second word")
    assert list(FlagEvent.objects.filter(flag=event.flag).values_list("note", flat=True)) == [
        "first word",
        "second word",
    ]
