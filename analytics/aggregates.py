"""Folding the appended rows of the maintained aggregates together (analytics/models.py).

The visit trigger appends a row per statement to analytics_visitvolume, so no two writers ever
wait on one counter row; the report adds the rows up, which costs one row per visit since the
last fold. `manage.py compact_analytics` (run it every few
minutes, docs/analytics.md) and generate_visits after a load fold them to one row per quarter
hour. It runs on the primary; rows written meanwhile are left for next time.
"""

from typing import Any

from django.db import connections, transaction

LOCK = "SELECT pg_advisory_xact_lock(hashtext('analytics_compact'))"
COMPACT = {
    "analytics_visitvolume": """
WITH gone AS (DELETE FROM analytics_visitvolume RETURNING bucket, visits, back_pain, depression)
INSERT INTO analytics_visitvolume (bucket, visits, back_pain, depression)
SELECT bucket, sum(visits), sum(back_pain), sum(depression) FROM gone GROUP BY bucket
HAVING sum(visits) <> 0 OR sum(back_pain) <> 0 OR sum(depression) <> 0
""",
}


TABLES = ("analytics_patientlatest", *COMPACT)


def compact(using: str = "default") -> dict[str, tuple[int, int]]:
    """Fold each table's rows together; per table, its rows (before, after)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        return fold(cursor)


def fold(cursor: Any) -> dict[str, tuple[int, int]]:
    """compact's work on any DB-API cursor inside the caller's transaction (a loader's own
    psycopg connection, as `compact_analytics --database-url` gives)."""
    sizes: dict[str, tuple[int, int]] = {}
    cursor.execute(LOCK)  # one fold at a time
    for table, sql in COMPACT.items():
        before = _count(cursor, table)
        cursor.execute(sql)
        sizes[table] = (before, _count(cursor, table))
    return sizes


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a table name above)
    return int(cursor.fetchone()[0])
