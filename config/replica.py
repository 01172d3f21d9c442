"""Long reads on the read replica, when there is one (docs/deployment.md "Read replica").

Analytics and exports read every visit; with `DATABASE_REPLICA_URL` set they read from the
replica and leave the primary to the clinic. Code that reads for them runs inside `long_reads()`:
the router sends the ORM's reads there to the replica, and raw SQL takes its connection from
`read_alias()`. A generator that streams (an export's rows) names its database with
`long_read_alias()` instead, since it runs after the view has returned. Every other read, and
every write, goes to the primary.

A replica that cannot be reached, or that has fallen behind the primary by more than
`DATABASE_REPLICA_MAX_LAG_SECONDS`, is not used: long reads fall back to the primary with a log
line, and the replica is tried again after `DATABASE_REPLICA_CHECK_SECONDS`.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"

log = logging.getLogger(__name__)

_long_reads: ContextVar[bool] = ContextVar("long_reads", default=False)

# Seconds the replica is behind: 0 when it has replayed all it received (an idle primary sends
# nothing, so the last replay time alone would read as lag), and 0 on a server that is not in
# recovery (a managed replica endpoint may be a proxy that answers for a primary).
LAG_SQL = """
    SELECT COALESCE(
        CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
             ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END, 0)::float
"""


class _Health:
    """The replica's last check, per process: whether long reads may use it, and when."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at: float | None = None
        self.usable = False

    def forget(self) -> None:
        with self.lock:
            self.checked_at = None


_health = _Health()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _probe() -> str | None:
    """Why the replica may not serve long reads now, or None when it may."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = cursor.fetchone()[0]
    except DatabaseError as error:
        connections[REPLICA].close()
        return f"cannot be reached ({type(error).__name__})"
    limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    if lag > limit:
        return f"is {lag:.1f} s behind the primary (limit {limit} s)"
    return None


def replica_usable() -> bool:
    """Whether long reads go to the replica, checked at most every CHECK_SECONDS."""
    if not configured():
        return False
    now = time.monotonic()
    with _health.lock:
        if (
            _health.checked_at is not None
            and now - _health.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS
        ):
            return _health.usable
        problem = _probe()
        if problem is not None:
            log.warning("The read replica %s; long reads go to the primary", problem)
        elif not _health.usable and _health.checked_at is not None:
            log.info("The read replica is back; long reads go to it again")
        _health.usable = problem is None
        _health.checked_at = now
        return _health.usable


def long_read_alias() -> str:
    """The database a long read goes to now: the replica when usable, else the primary. For
    code that names its connection (raw SQL, a streamed query and its transaction)."""
    return REPLICA if replica_usable() else DEFAULT_DB_ALIAS


def read_alias() -> str:
    """The database the current read goes to: `long_read_alias()` inside `long_reads()`."""
    return long_read_alias() if _long_reads.get() else DEFAULT_DB_ALIAS


@contextmanager
def long_reads() -> Iterator[str]:
    """Reads inside go to the replica when there is a usable one; yields the alias in use."""
    token = _long_reads.set(True)
    try:
        yield read_alias()
    finally:
        _long_reads.reset(token)


class ReplicaRouter:
    """Long reads to the replica (see the module's docstring); everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = read_alias()
        return alias if alias == REPLICA else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None  # the primary: a replica refuses writes

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
