"""Export of 1,000,000 visits: our CSV beside PostgreSQL's own COPY of the same query, plus XLSX
and FHIR figures.

    .venv/bin/python -m bench.bench_exports [--rounds 3] [--sample 100000]

Uses the benchmark database `bench_spine_mood` on the app's database server (the embedded one
when DATABASE_URL is unset): creates and migrates it if absent and loads 1,000,000 visits with
`manage.py generate_visits --top-up` unless it already holds them, all under
pg_advisory_lock(hashtext('bench_spine_mood')) taken in the server's `postgres` database, so
benchmarks sharing the database never generate at once.

Every measurement runs in a fresh child process, so its peak RSS (getrusage) is its own:
- baseline: `COPY (export query) TO STDOUT WITH (FORMAT csv)` read by psycopg and discarded:
  the same SELECT, joins, filters and order as the export, columns as stored;
- CSV: GET /exports/download/ through Django's test Client (middleware, permission, count,
  audit row), every streamed byte written to /dev/null;
- XLSX and FHIR NDJSON the same way, over the newest `--sample` visits, with their rates;
- the XLSX writers side by side on those same rows, each in its own child, writing a file in an
  export workspace: today's XlsxWriter in constant-memory mode (exports/xlsx.py) beside the
  openpyxl write-only workbook it replaced (bench/openpyxl_xlsx.py). `--only xlsx` runs just
  this comparison.
The children raise the job thresholds, so these measure the streamed path (background jobs:
bench/bench_export_jobs.py).
Baseline and CSV alternate for `--rounds` rounds; the best of each is compared. Exits non-zero
when the CSV takes more than twice the COPY or its process peaks at 300 MB or more, or XlsxWriter
is less than 1.5 times as fast as openpyxl.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time

from bench.common import (
    bench_database,
    signed_in_client,
)

MAX_RATIO = 2.0
MAX_PEAK_MB = 300.0
MIN_XLSX_SPEEDUP = 1.5
ADMIN = "bench_exports_admin"


# Child side: one measurement per process -------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _query(newest: int | None) -> dict[str, str]:
    """The page's choices covering every visit, or only about the newest `newest` visits."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(visit_at), max(visit_at) FROM screening_visit")
        first, last = cursor.fetchone()
        if newest:
            cursor.execute(
                "SELECT visit_at FROM screening_visit ORDER BY visit_at DESC OFFSET %s LIMIT 1",
                [newest],
            )
            # never past the last visit: many visits can share the newest day
            first = min(cursor.fetchone()[0] + dt.timedelta(days=1), last)
    return {
        "date_from": timezone.localdate(first).isoformat(),
        "date_to": timezone.localdate(last).isoformat(),
        "current_only": "on",
        "labels": "codes",
        "dates": "shifted",
    }


def _baseline(query: dict[str, str]) -> dict[str, float]:
    from django.db import connection

    from exports.csvfile import copy_query
    from exports.forms import ExportForm

    form = ExportForm({**query, "format": "csv"})
    assert form.is_valid(), form.errors
    export = form.export().as_of_now()

    sql, params = copy_query(export, formatted=False)
    size = rows = 0
    started = time.perf_counter()
    with (
        connection.cursor() as wrapper,
        wrapper.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        for data in copy:
            size += len(data)
            rows += 1
    return {"seconds": time.perf_counter() - started, "bytes": size, "rows": rows}


def _download(query: dict[str, str], export_format: str) -> dict[str, float]:
    from django.urls import get_resolver

    from accounts.roles import ADMIN as ADMIN_ROLE

    client, _ = signed_in_client(ADMIN, ADMIN_ROLE)
    # import every view module (pandas and scikit-learn come with analytics) before measuring,
    # as a server worker has after its first request
    get_resolver().url_patterns  # noqa: B018
    before = _peak_mb()
    size = lines = 0
    first_byte = None
    started = time.perf_counter()
    response = client.get("/exports/download/", {**query, "format": export_format})
    assert response.status_code == 200, response.status_code
    with open(os.devnull, "wb") as sink:
        for chunk in response.streaming_content:
            if first_byte is None:
                first_byte = time.perf_counter() - started
            sink.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "first_byte": first_byte or seconds,
        "bytes": size,
        "lines": lines,
        "rows": int(response["X-Export-Rows"]),
        "peak_mb": _peak_mb(),
        "peak_before_mb": before,
    }


def _writer(query: dict[str, str], kind: str, as_of: str) -> dict[str, float]:
    """One XLSX writer over the export's rows as of `as_of` (the same rows for each writer, even
    while visits are added), into a file of an export workspace."""
    from dataclasses import replace

    from bench import openpyxl_xlsx
    from exports import tmpfiles, xlsx
    from exports.forms import ExportForm

    form = ExportForm({**query, "format": "xlsx"})
    assert form.is_valid(), form.errors
    export = form.export()
    export = replace(
        export, filters=replace(export.filters, as_of=dt.datetime.fromisoformat(as_of))
    )
    write = openpyxl_xlsx.write_xlsx if kind == "openpyxl" else xlsx.write_xlsx
    before = _peak_mb()
    with tmpfiles.workspace() as folder:
        started = time.perf_counter()
        with open(folder / "book.xlsx", "wb") as target:
            rows = write(export, target, folder)
        seconds = time.perf_counter() - started
        size = (folder / "book.xlsx").stat().st_size
    return {
        "seconds": seconds,
        "rows": rows,
        "bytes": size,
        "peak_mb": _peak_mb(),
        "peak_before_mb": before,
    }


def child(kind: str, newest: int | None, as_of: str | None = None) -> None:
    import django

    django.setup()
    query = _query(newest)
    if kind == "copy":
        result = _baseline(query)
    elif kind in ("openpyxl", "xlsxwriter"):
        assert as_of, "the writers compare rows pinned by the parent"
        result = _writer(query, kind, as_of)
    else:
        result = _download(query, kind)
    if kind == "copy":
        result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


# Parent side ----------------------------------------------------------------------------------


def measure(
    kind: str, url: str, newest: int | None = None, as_of: str | None = None
) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "ALLOWED_HOSTS": "testserver"}
    # the streamed path, whatever the size (jobs: bench/bench_export_jobs.py)
    env |= {
        "EXPORT_JOB_THRESHOLD_ROWS": "1000000000",
        "EXPORT_JOB_THRESHOLD_ROWS_BUILT": "1000000000",
    }
    command = [sys.executable, "-m", "bench.bench_exports", "--child", kind]
    if newest:
        command += ["--newest", str(newest)]
    if as_of:
        command += ["--as-of", as_of]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=100_000, help="visits for XLSX and FHIR")
    parser.add_argument("--only", choices=["xlsx"], help="only the XLSX writers side by side")
    parser.add_argument(
        "--child",
        choices=["copy", "csv", "xlsx", "fhir", "openpyxl", "xlsxwriter"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--newest", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.newest, args.as_of)
        return 0

    url, generation = bench_database()
    print(f"XLSX writers on the same newest {args.sample:,} visits, one child each:")
    pinned = dt.datetime.now(dt.UTC).isoformat()
    old = measure("openpyxl", url, args.sample, pinned)
    new = measure("xlsxwriter", url, args.sample, pinned)
    if old["rows"] != new["rows"]:
        print(f"FAILED the writers wrote {old['rows']:,} and {new['rows']:,} rows")
        return 1
    speedup = (new["rows"] / new["seconds"]) / (old["rows"] / old["seconds"])
    for name, result in (
        ("baseline: openpyxl write-only", old),
        ("XlsxWriter constant_memory", new),
    ):
        print(
            f"  {name:<32} {result['rows']:>9,} rows {result['seconds']:>7.2f} s "
            f"{result['rows'] / result['seconds']:>8,.0f} rows/s {result['bytes'] / 1e6:>6.1f} MB "
            f"peak RSS {result['peak_mb']:.0f} MB"
        )
    print(f"  XlsxWriter / openpyxl = {speedup:.2f}x rows/s (target >= {MIN_XLSX_SPEEDUP}x)")
    if args.only == "xlsx":
        return 0 if speedup >= MIN_XLSX_SPEEDUP else 1
    copies, csvs = [], []
    for _ in range(args.rounds):
        copies.append(measure("copy", url))
        csvs.append(measure("csv", url))
    copy = min(copies, key=lambda r: r["seconds"])
    ours = min(csvs, key=lambda r: r["seconds"])
    peak = max(r["peak_mb"] for r in csvs)
    xlsx = measure("xlsx", url, args.sample)
    fhir = measure("fhir", url, args.sample)

    ratio = ours["seconds"] / copy["seconds"]
    print(f"\n{ours['rows']:,} visits exported; best of {args.rounds} rounds, one child each")
    print(f"{'export':<44} {'rows':>10} {'wall s':>8} {'rows/s':>9} {'MB':>7} {'peak RSS':>9}")

    def line(name: str, result: dict[str, float]) -> None:
        rate = result["rows"] / result["seconds"]
        print(
            f"{name:<44} {result['rows']:>10,} {result['seconds']:>8.2f} {rate:>9,.0f} "
            f"{result['bytes'] / 1e6:>7.0f} {result['peak_mb']:>7.0f} MB"
        )

    line("baseline: COPY (same query) TO STDOUT", copy)
    line("CSV through /exports/download/", ours)
    line(f"XLSX through the view (newest {args.sample:,})", xlsx)
    line(f"FHIR NDJSON through the view (newest {args.sample:,})", fhir)
    print(
        f"CSV / COPY = {ratio:.2f} (target <= {MAX_RATIO}); CSV first byte after "
        f"{ours['first_byte']:.2f} s; CSV peak RSS {peak:.0f} MB (target < {MAX_PEAK_MB:.0f}; "
        f"{ours['peak_before_mb']:.0f} MB before the request)"
    )
    print(f"all rounds: COPY {[round(r['seconds'], 2) for r in copies]} s, "
          f"CSV {[round(r['seconds'], 2) for r in csvs]} s")  # fmt: skip
    if ours["lines"] != ours["rows"] + 1:
        print(f"FAILED the CSV holds {ours['lines'] - 1:,} rows, {ours['rows']:,} announced")
        return 1
    if generation is not None:
        print(f"data generation: {generation:.0f} s")
    failed = []
    if ratio > MAX_RATIO:
        failed.append(f"CSV took {ratio:.2f}x COPY (target <= {MAX_RATIO}x)")
    if peak >= MAX_PEAK_MB:
        failed.append(f"CSV peak RSS {peak:.0f} MB (target < {MAX_PEAK_MB:.0f} MB)")
    if speedup < MIN_XLSX_SPEEDUP:
        failed.append(f"XlsxWriter {speedup:.2f}x openpyxl (target >= {MIN_XLSX_SPEEDUP}x)")
    for failure in failed:
        print(f"FAILED {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
