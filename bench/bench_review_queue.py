"""Review queue at 1,000,000 visits: p95 per page under 100 ms, queries per page fixed.

    .venv/bin/python -m bench.bench_review_queue [--requests 200]

Uses the benchmark database `bench_spine_mood` on the same server as the app's database (the
embedded one when DATABASE_URL is unset): creates and migrates it if absent, and loads 1,000,000
visits with `manage.py generate_visits --top-up` unless it already holds them. Creation, migration
and generation run under pg_advisory_lock(hashtext('bench_spine_mood')) taken in the server's
`postgres` database, so benchmarks sharing the database never generate at once.

Then it times pages through Django's test Client in this process (the full middleware stack:
session, permissions, CSP, template): the first page, page 50 reached by cursor, a filtered page,
and, as the baseline measured in the same run, /healthz (one trivial query, no template).
Exits non-zero when a page misses the target or its query count changes with page size.
"""

import argparse
import datetime as dt
import statistics
import sys
import time

from bench.common import (
    bench_database,
    setup_django_in_process,
    signed_in_client,
)

TARGET_P95_MS = 100.0


def timed(client, url: str, requests: int) -> list[float]:
    for _ in range(10):  # warm caches and the connection
        client.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    url, generation = bench_database()
    setup_django_in_process(url)
    from django.db import connection
    from django.utils import timezone

    from accounts.roles import REVIEWER
    from review import selectors

    client, user = signed_in_client("bench_reviewer", REVIEWER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM screening_visit")
        visits = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status <> 'resolved') FROM screening_flag"
        )
        flags, unresolved = cursor.fetchone()

    deep = selectors.queue_cursor_for_page(
        filters=selectors.QueueFilters(), user=user, page=50, size=selectors.DEFAULT_PAGE_SIZE
    )
    if deep is None or deep.page != 50:
        sys.exit("fewer than 50 pages of unresolved flags: regenerate the benchmark database")
    year_ago = (timezone.localdate() - dt.timedelta(days=365)).isoformat()
    pages = {  # the targets: exit non-zero when one misses p95 < 100 ms
        "first page": "/review/",
        "page 50 (cursor)": f"/review/?cursor={deep.token()}",
        "filtered: assess for back pain": "/review/?kind=assess_back_pain",
        "resolved, newest first": "/review/?status=resolved",
    }
    # reported, not judged: without an index covering kind, status, assignee and opened_at,
    # its per-kind counts read every unresolved flag's heap row (docs/benchmarks.md)
    informational = {
        "filtered: unassigned, opened in the last year": (
            f"/review/?assignee=unassigned&opened_from={year_ago}"
        ),
    }
    baseline = {"baseline: /healthz (one query, no template)": "/healthz"}
    print(
        f"\n{visits:,} visits, {flags:,} flags ({unresolved:,} unresolved); "
        f"{args.requests} requests each, Django test Client, one process"
    )
    print(f"{'page':<50} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'@25/@100':>9}")
    failed = []
    for group in (pages, informational, baseline):
        for name, path in group.items():
            times = timed(client, path, args.requests)
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1]
            sep = "&" if "?" in path else "?"
            if path.startswith("/review/"):
                small = queries(client, f"{path}{sep}size=25")
                large = queries(client, f"{path}{sep}size=100")
                counted = f"{small}/{large}"
                if small != large:
                    failed.append(f"{name}: {small} queries at 25 rows, {large} at 100")
            else:
                counted = "-"
            print(f"{name:<50} {p50:>8.1f} {p95:>8.1f} {queries(client, path):>8} {counted:>9}")
            if group is pages and p95 >= TARGET_P95_MS:
                failed.append(f"{name}: p95 {p95:.1f} ms >= {TARGET_P95_MS:.0f} ms")
    if generation is not None:
        print(f"data generation: {generation:.0f} s")
    for failure in failed:
        print(f"FAILED {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
