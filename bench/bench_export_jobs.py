"""A background export job's worker memory: every visit of the benchmark database (1,000,000) as
XLSX and as FHIR NDJSON, each written by the job's own file writer in a fresh worker-like process.

    .venv/bin/python -m bench.bench_export_jobs [--formats xlsx,fhir] [--newest N]

Each child sets Django up as `manage.py db_worker` does (no URLconf, no views), pins the export to
now and runs exports.jobs.write_file, the function the worker's task runs between marking the job
running and finished: the one row query, the writer, the partial file renamed when complete. Its
peak RSS (getrusage) is the worker's peak for that job; the file is deleted afterwards. Exits
non-zero when a child peaks at 300 MB or more, or writes fewer rows than it counted.

The job's queue bookkeeping (two small transactions, a progress UPDATE per 2,000 rows) is left out
so the script runs on a benchmark database other branches share without migrating it
(BENCH_DATABASE_URL, bench/common.py); the integration tests run that part through the real
worker (tests/integration/test_export_jobs.py).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from bench.common import BASE_DIR, bench_database

MAX_PEAK_MB = 300.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(export_format: str, newest: int | None) -> None:
    import django

    django.setup()
    from bench.bench_exports import _query
    from exports import jobs
    from exports.forms import ExportForm
    from exports.selectors import count_visits

    form = ExportForm({**_query(newest), "format": export_format})
    assert form.is_valid(), form.errors
    export = form.export().as_of_now()
    announced = count_visits(export.filters)
    before = _peak_mb()
    started = time.perf_counter()
    name, rows = jobs.write_file(export)
    seconds = time.perf_counter() - started
    path = jobs.job_folder() / name
    size = path.stat().st_size
    path.unlink()
    result = {
        "format": export_format,
        "announced": announced,
        "rows": rows,
        "seconds": seconds,
        "bytes": size,
        "peak_mb": _peak_mb(),
        "peak_before_mb": before,
    }
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="xlsx,fhir")
    parser.add_argument("--newest", type=int, help="only about the newest N visits (a quick run)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.newest)
        return 0

    url, _ = bench_database()
    folder = tempfile.mkdtemp(prefix="bench-export-jobs-", dir=BASE_DIR / "var")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "EXPORT_JOB_DIR": folder}
    failed = []
    try:
        for export_format in args.formats.split(","):
            command = [sys.executable, "-m", "bench.bench_export_jobs", "--child", export_format]
            if args.newest:
                command += ["--newest", str(args.newest)]
            done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rate = result["rows"] / result["seconds"]
            print(
                f"{export_format:<5} job: {result['rows']:>9,} of {result['announced']:,} visits "
                f"in {result['seconds']:.0f} s ({rate:,.0f} rows/s), {result['bytes'] / 1e6:,.0f} MB; "
                f"worker peak RSS {result['peak_mb']:.0f} MB "
                f"({result['peak_before_mb']:.0f} MB before the job; target < {MAX_PEAK_MB:.0f})"
            )
            if result["peak_mb"] >= MAX_PEAK_MB:
                failed.append(f"{export_format} worker peak {result['peak_mb']:.0f} MB")
            if result["rows"] != result["announced"]:
                failed.append(
                    f"{export_format} wrote {result['rows']:,} of {result['announced']:,}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for failure in failed:
        print(f"FAILED {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
