"""Where a screening submit's time goes: cProfile over in-process submits, and one submit's SQL.

    .venv/bin/python -m bench.profile_submit [--submits 300] [--top 25]

Runs the submit view through Django's test client (urlencoded bodies, as wrk sends them) on the
benchmark database of bench/common.py, with the gunicorn benchmark's settings (DEBUG off, the
dummy mail backend). Prints CPU ms per submit without and with the profiler, the functions with
the most CPU time of their own (and, with --cumulative, the most CPU time in all), and the
statements of one submit. For information beside bench/bench_screening.py (docs/benchmarks.md
"Screening submit"); it checks nothing.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import time
import uuid

from bench.common import bench_database

ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "LOG_LEVEL": "WARNING",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cumulative", action="store_true", help="sort by cumulative time")
    args = parser.parse_args()

    url, _ = bench_database()
    os.environ.update(ENVIRONMENT, DATABASE_URL=url, SECRET_KEY=secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.bench_screening import seed

    sessions, patient_ids, bodies = seed()  # the load test's clinicians, patients and bodies
    client = Client()
    client.cookies.load(sessions[0][0])

    def submit(n: int) -> None:
        body = bodies[n % len(bodies)].replace("__SUBMISSION__", str(uuid.uuid4()))
        token = sessions[0][1]
        response = client.post(
            f"/patients/{patient_ids[n % len(patient_ids)]}/visits/new/",
            f"{body}&csrfmiddlewaretoken={token}",
            content_type="application/x-www-form-urlencoded",
        )
        client.cookies.pop("messages", None)  # wrk never sends the flash message back
        if response.status_code != 302:
            raise SystemExit(f"a submit answered {response.status_code}, not a redirect")

    for n in range(20):  # connections, caches, imports
        submit(n)
    started = time.process_time()
    for n in range(args.submits):
        submit(n)
    cpu_ms = (time.process_time() - started) / args.submits * 1000
    print(f"{args.submits} submits, {cpu_ms:.2f} ms CPU each (the client's and the view's)")
    # Timed by CPU, not the clock: the time waiting for PostgreSQL is the db side's, which
    # bench/bench_screening.py measures; this lists what the app's process spends.
    profile = cProfile.Profile(time.process_time)
    started = time.process_time()
    profile.enable()
    for n in range(args.submits):
        submit(n)
    profile.disable()
    cpu_ms = (time.process_time() - started) / args.submits * 1000
    print(f"{args.submits} more, {cpu_ms:.2f} ms CPU each under the profiler")
    pstats.Stats(profile).sort_stats("cumulative" if args.cumulative else "tottime").print_stats(
        args.top
    )
    with CaptureQueriesContext(connection) as queries:
        submit(3)
    print(f"One submit's {len(queries.captured_queries)} statements:")
    for query in queries.captured_queries:
        print(" ", query["sql"][:160])


if __name__ == "__main__":
    main()
