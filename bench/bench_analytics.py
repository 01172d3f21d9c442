"""Analytics over 1,000,000 visits: the page computes in under 15 s; repeat views come from cache.

    .venv/bin/python -m bench.bench_analytics [--runs 2] [--cached 50]

Uses the benchmark database `bench_spine_mood` on the same server as the app's database (the
embedded one when DATABASE_URL is unset): creates and migrates it if absent, and loads 1,000,000
visits with `manage.py generate_visits --top-up` unless it already holds them. Creation, migration
and generation run under pg_advisory_lock(hashtext('bench_spine_mood')) taken in the server's
`postgres` database, so benchmarks sharing the database never generate at once.

Then, in this process, it times each stage of the report (the SQL aggregates, the bootstrap
model, flag yield, volume), the whole analytics page through Django's test Client with its cache
entry removed (cold) and left in place (cached), and, as baselines measured in the same run, the
floor any patient-level analysis pays (PostgreSQL sorting the visits once to find each patient's
latest) and /healthz (one trivial query, no template). Exits non-zero when a cold page takes 15 s
or more.
"""

import argparse
import resource
import statistics
import sys
import time

from bench.common import (
    bench_database,
    setup_django_in_process,
    signed_in_client,
)

TARGET_SECONDS = 15.0
FLOOR_SQL = (
    "SELECT count(*) FROM (SELECT DISTINCT ON (patient_id) patient_id FROM screening_visit "
    "ORDER BY patient_id, visit_at DESC, id DESC) latest"
)


def seconds(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="cold page views to time")
    parser.add_argument("--cached", type=int, default=50, help="cached page views to time")
    args = parser.parse_args()

    url, generation = bench_database()
    setup_django_in_process(url)
    from django.core.cache import cache
    from django.db import connection

    from accounts.roles import ADMIN
    from analytics import filters, selectors, services
    from analytics.report import compute_report
    from analytics.stats import BOOTSTRAP_REPLICATES, odds_ratios

    client, _ = signed_in_client("bench_admin", ADMIN)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM screening_visit), (SELECT count(*) FROM patients_patient),"
            " (SELECT count(*) FROM screening_flag)"
        )
        visits, patients, flags = cursor.fetchone()
        floor, _ = seconds(cursor.execute, FLOOR_SQL)
        cursor.fetchall()
    healthz = []
    for _ in range(20):
        elapsed, response = seconds(client.get, "/healthz")
        assert response.status_code == 200
        healthz.append(elapsed * 1000)

    every = filters.Filters()
    version, _ = seconds(selectors.data_version)
    sql, (cells, transitions) = seconds(selectors.patient_cells, every)
    model, odds = seconds(
        odds_ratios,
        cells,
        outcome="major_depression",
        exposure="back_pain",
        covariates=selectors.COVARIATES,
    )
    yield_, _ = seconds(selectors.flag_yield, every)
    volume, months = seconds(selectors.screening_volume, every)

    cold = []
    for _ in range(args.runs):
        cache.delete(services.cache_key(every, selectors.data_version()))
        elapsed, response = seconds(client.get, "/analytics/")
        assert response.status_code == 200
        assert "patients screened" in response.text
        cold.append(elapsed)
    cached = []
    for _ in range(args.cached):
        elapsed, response = seconds(client.get, "/analytics/")
        assert "shown from the cache" in response.text, "a repeat view missed the cache"
        cached.append(elapsed * 1000)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT clinician_id FROM screening_visit GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        busiest = cursor.fetchone()[0]
    newest = max(month.month for month in months)
    one = filters.Filters(date_from=newest.replace(year=newest.year - 1), clinician_id=busiest)
    filtered, report = seconds(compute_report, one)

    def ms(values: list[float]) -> str:
        p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)
        return f"p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms"

    print(f"data: {visits:,} visits, {patients:,} patients, {flags:,} flags", end="")
    print(f" (generated in {generation:.0f} s)" if generation is not None else " (reused)")
    print(f"baseline  sort of all visits to each patient's latest (SQL floor): {floor:.2f} s")
    print(f"baseline  /healthz: {ms(healthz)}")
    print(f"stage     data version: {version:.2f} s")
    print(
        f"stage     patients by latest visit + follow-up (one SQL pass): {sql:.2f} s "
        f"-> {len(cells):,} covariate patterns, {int(transitions['n'].sum()):,} followed up"
    )
    print(
        f"stage     crude + adjusted OR, {BOOTSTRAP_REPLICATES} bootstrap refits: {model:.2f} s "
        f"(crude {odds.crude.value:.2f}, adjusted {odds.adjusted.value:.2f})"
    )
    print(f"stage     flag yield: {yield_:.2f} s; screening volume: {volume:.2f} s")
    print(f"page      cold (cache entry removed): {', '.join(f'{s:.2f} s' for s in cold)}")
    print(f"page      cached: {ms(cached)}")
    print(
        f"filtered  busiest clinician, last 12 months: {filtered:.2f} s ({report.patients:,} patients)"
    )
    print(f"memory    peak RSS of this process: {peak_mb():.0f} MB")
    worst = max(cold)
    if worst >= TARGET_SECONDS:
        print(f"FAIL: cold page {worst:.2f} s >= {TARGET_SECONDS:.0f} s")
        return 1
    print(f"OK: cold page {worst:.2f} s < {TARGET_SECONDS:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
