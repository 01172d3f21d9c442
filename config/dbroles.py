"""The runtime role's privileges: everything the app needs, and no way to rewrite the record.

The owner role owns every table and runs migrations; the app connects as the runtime role
(docs/deployment.md "Database roles"). On the append-only tables the runtime role may only read
and insert: no UPDATE, DELETE or TRUNCATE. Since it owns no table, it can neither disable their
triggers nor grant itself more. Run after every migrate, as the owner:

    DATABASE_ROLE=owner python manage.py migrate
    DATABASE_ROLE=owner python -m config.dbroles grant

It starts from nothing on every run (revoke all, grant exactly this, in one transaction), so a
privilege granted by hand does not survive it, and it checks the result before committing.
"""

import os
import sys
from typing import Any

# The record: inserted by services, never changed (row triggers refuse UPDATE/DELETE, statement
# triggers TRUNCATE, for the owner too; the runtime role lacks the privileges besides).
APPEND_ONLY_TABLES = (
    "audit_audit",
    "screening_flagevent",
    "screening_recordedinstrument",
    "screening_visit",
)
# Read by Django (pending-migration check of runserver); written by migrate only.
READ_ONLY_TABLES = ("django_migrations",)
# The statement trigger on each append-only table (audit 0003, screening 0006 and 0009).
TRUNCATE_TRIGGER = "refuse_truncate"
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


class RoleError(Exception):
    """The roles cannot keep the record safe as configured; the message says what to change."""


def _rows(cursor: Any, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _check_runtime_role(cursor: Any, runtime: str) -> str:
    """The owner's name (the connection's role), once `runtime` is found fit to be the app's."""
    owner = _rows(cursor, "SELECT current_user")[0][0]
    if runtime == owner:
        raise RoleError(
            f"the app and the migrations both connect as {owner!r}, which owns the tables and so "
            "could rewrite the record: give DATABASE_URL a runtime role of its own"
        )
    found = _rows(
        cursor,
        "SELECT rolsuper, rolbypassrls, rolcreaterole, pg_has_role(%s, current_user, 'MEMBER') "
        "FROM pg_roles WHERE rolname = %s",
        [runtime, runtime],
    )
    if not found:
        raise RoleError(f"the runtime role {runtime!r} does not exist")
    superuser, bypassrls, createrole, member_of_owner = found[0]
    powers = [
        label
        for label, held in (
            ("SUPERUSER", superuser),
            ("BYPASSRLS", bypassrls),
            ("CREATEROLE", createrole),
            (f"membership of {owner!r}", member_of_owner),
        )
        if held
    ]
    if powers:
        raise RoleError(f"the runtime role {runtime!r} must not have {', '.join(powers)}")
    owned = _rows(
        cursor,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relowner = %s::regrole ORDER BY 1",
        [runtime],
    )
    if owned:
        names = ", ".join(row[0] for row in owned)
        raise RoleError(
            f"the runtime role {runtime!r} owns {names}: as a superuser, "
            f"REASSIGN OWNED BY {runtime} TO {owner} (docs/deployment.md)"
        )
    return owner


def _granted_writes(cursor: Any, runtime: str) -> list[tuple[str, str]]:
    """(table, privilege) for every write the runtime role holds on the record, however held."""
    return _rows(
        cursor,
        "SELECT t, p FROM unnest(%s::text[]) t, unnest(%s::text[]) p "
        "WHERE has_table_privilege(%s, t, p) AND NOT (p = 'INSERT' AND t = ANY(%s)) ORDER BY 1, 2",
        [
            [*APPEND_ONLY_TABLES, *READ_ONLY_TABLES],
            list(WRITES),
            runtime,
            list(APPEND_ONLY_TABLES),
        ],
    )


def grant_runtime_privileges(connection: Any, runtime: str) -> None:
    """Grant `runtime` what the app needs on every table of the database `connection` (the
    owner's) reaches, and nothing that could change the record; raise RoleError when the roles
    cannot keep it safe."""
    from django.db import transaction

    role = connection.ops.quote_name(runtime)
    record = ", ".join(APPEND_ONLY_TABLES)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        owner = connection.ops.quote_name(_check_runtime_role(cursor, runtime))
        for statement in (
            # Before PostgreSQL 15 every role could create tables in public (and own them).
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"REVOKE UPDATE, DELETE ON {record} FROM {role}",
            f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(READ_ONLY_TABLES)} FROM {role}",
            # nextval for inserts; setval needs UPDATE, which no sequence grants it
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            # Tables a later migration creates are usable before this runs again; a new
            # append-only table joins APPEND_ONLY_TABLES.
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ):
            cursor.execute(statement)
        if left := _granted_writes(cursor, runtime):
            # e.g. granted to PUBLIC or to a group the runtime role belongs to
            raise RoleError(f"the runtime role {runtime!r} can still write the record: {left}")


def main(argv: list[str]) -> int:
    if argv != ["grant"]:
        print("usage: DATABASE_ROLE=owner python -m config.dbroles grant", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if settings.DATABASE_ROLE != "owner":
        print("grant runs as the owner: set DATABASE_ROLE=owner", file=sys.stderr)
        return 2
    try:
        grant_runtime_privileges(connection, settings.DATABASE_RUNTIME_ROLE)
    except RoleError as exc:
        print(f"database roles: {exc}", file=sys.stderr)
        return 1
    print(f"granted {settings.DATABASE_RUNTIME_ROLE} the app's privileges")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
