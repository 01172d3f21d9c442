"""The benchmark database every `make bench` script shares: created, migrated and filled once.

`bench_spine_mood` lives on the app's database server (the embedded one when DATABASE_URL is
unset) and belongs to the owner role, as which the benchmarks run. Creation, migration and
generation run under pg_advisory_lock(hashtext(BENCH_DB)) taken in the server's `postgres`
database, so scripts sharing it never generate at once. Its size is BENCH_VISITS (default
1,000,000; `make bench VISITS=N`): a smaller database is topped up to it, a larger one reused.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# Every benchmark runs as `python -m bench.<name>` from the checkout, on the development settings
# unless told otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
# BENCH_DATABASE names another one on the same server, e.g. a larger database kept beside the
# usual one (`make bench VISITS=10000000 BENCH_DATABASE=bench_spine_mood_10m`).
BENCH_DB = os.environ.get("BENCH_DATABASE") or "bench_spine_mood"
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", BENCH_DB):
    sys.exit(f"BENCH_DATABASE must be a lower-case SQL name, not {BENCH_DB!r}")
# How many visits the benchmark database holds at least: `make bench VISITS=3000000` sets
# BENCH_VISITS, and a database holding fewer is topped up to it (generate_visits --top-up).
VISITS = int(os.environ.get("BENCH_VISITS") or 1_000_000)
_LOCK_SQL = f"SELECT pg_advisory_lock(hashtext('{BENCH_DB}'))"


def server_url() -> str:
    """The owner's URL on the app's database server: MIGRATE_DATABASE_URL (or DATABASE_URL alone),
    or the embedded development server's. Benchmarks create, migrate and bulk-load their own
    database, so they run as the role that owns it."""
    if os.environ.get("DATABASE_URL"):
        return os.environ.get("MIGRATE_DATABASE_URL") or os.environ["DATABASE_URL"]
    from config import devdb

    return devdb.database_urls().owner


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def ensure_bench_database(url: str, visits: int = VISITS) -> float | None:
    """Create, migrate and fill the benchmark database if needed; the seconds generation took,
    or None when the data was already there."""
    import psycopg

    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(_LOCK_SQL)  # held until this connection closes
        if not os.environ.get("DATABASE_URL"):
            from config import devdb

            devdb.database_urls(BENCH_DB)  # created by the owner role, or handed over to it
        elif not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
        ).fetchone():
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "createcachetable", "-v", "0"], env=env, check=True)
        with psycopg.connect(url) as bench:
            held = bench.execute("SELECT count(*) FROM screening_visit").fetchone()[0]
            flags = bench.execute("SELECT count(*) FROM screening_flag").fetchone()[0]
        if held >= visits and flags:
            print(f"reusing {BENCH_DB}: {held:,} visits, {flags:,} flags")
            return None
        if held >= visits:
            sys.exit(f"{BENCH_DB} holds {held:,} visits but no flags: not our generator's data")
        print(f"generating {visits - held:,} visits into {BENCH_DB} ...", flush=True)
        started = time.monotonic()
        command = [*manage, "generate_visits", "--visits", str(visits), "--top-up"]
        subprocess.run([*command, "--database-url", url], env=env, check=True)
        return time.monotonic() - started


def bench_database(visits: int = VISITS) -> tuple[str, float | None]:
    """The benchmark database's URL, created and filled first if needed (ensure_bench_database),
    and the seconds generation took, None when the data was already there.

    BENCH_DATABASE_URL names a filled benchmark database to use as it is, neither migrated nor
    topped up (another checkout's, on a shared machine: the scripts that honour it read only
    tables every branch has)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], None
    url = with_database(server_url(), BENCH_DB)
    return url, ensure_bench_database(url, visits)


def setup_django_in_process(url: str) -> None:
    """Django on database `url` in this process, for the test Client. Not
    setup_test_environment(): it instruments every template render to keep context copies,
    which costs more than the page itself."""
    os.environ["DATABASE_URL"] = url
    os.environ["ALLOWED_HOSTS"] = "testserver"  # the test Client's host

    import django

    django.setup()


def signed_in_client(username: str, role: str):  # type: ignore[no-untyped-def]
    """A Django test Client signed in as `username` holding `role`, and that user (call after
    django.setup())."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user, _ = User.objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client, user


def session_key_for(user) -> str:  # type: ignore[no-untyped-def]
    """A signed-in session of `user` in the database, for a server on the same SECRET_KEY: the
    cookie value `sessionid=<this>` (call after django.setup())."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.middleware import LAST_SEEN_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_SEEN_KEY] = time.time()
    session.create()
    return str(session.session_key)
