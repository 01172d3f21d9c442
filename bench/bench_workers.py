"""A gunicorn worker's resident memory after start and after each kind of page.

    .venv/bin/python -m bench.bench_workers

Two single-worker gunicorns serve the shared benchmark database (bench/common.py) in turn, as an
admin: today's app, which loads pandas, SciPy, scikit-learn and openpyxl where they are used, and
as the baseline the same app with those libraries imported when the worker starts (what every
worker did before: a gunicorn hook imports them). After start and after each page, in the same
order, the script reads the worker's VmRSS from /proc. Target (issue 19): a worker that has served
no analytics page or workbook holds none of those libraries, so it starts smaller.
"""

import datetime as dt
import os
import secrets
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench.common import bench_database, session_key_for
from bench.load import start_gunicorn

PORT = 8766
SECRET_KEY = secrets.token_urlsafe(50)
HEAVY_AT_START = """
def post_worker_init(worker):
    import analytics.services  # pandas, numpy, scipy, scikit-learn
    import exports.xlsx  # openpyxl
"""


def session_cookie() -> tuple[str, dt.date]:
    """A signed-in admin's cookie for gunicorn, and the newest visit's day (for a small export)."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db.models import Max
    from django.utils import timezone

    from accounts.roles import ADMIN
    from screening.models import Visit

    user, _ = User.objects.get_or_create(username="bench_worker_admin")
    user.groups.add(Group.objects.get(name=ADMIN))
    newest = Visit.objects.aggregate(Max("visit_at"))["visit_at__max"]
    return f"sessionid={session_key_for(user)}", timezone.localdate(newest)


def pages(day: dt.date) -> list[tuple[str, str]]:
    export = f"date_from={day}&date_to={day}&format=xlsx&labels=codes&dates=shifted&current_only=on"
    return [
        ("patient search", "/patients/"),
        ("review queue", "/review/"),
        ("exports page", "/exports/"),
        ("XLSX download (one day)", f"/exports/download/?{export}"),
        ("analytics (cold)", "/analytics/"),
    ]


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def measure(url: str, cookie: str, day: dt.date, extra: tuple[str, ...]) -> list[float]:
    gunicorn = start_gunicorn(url, PORT, SECRET_KEY, workers=1, extra=extra)
    try:
        worker = worker_pid(gunicorn.pid)
        figures = [rss_mb(worker)]
        for name, path in pages(day):
            request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
            request.add_header("Cookie", cookie)
            with urllib.request.urlopen(request, timeout=600) as reply:  # noqa: S310 (our own server)
                reply.read()
                if reply.status != 200 or reply.url.endswith("/accounts/login/"):
                    sys.exit(f"{name}: {reply.status} at {reply.url}")
            figures.append(rss_mb(worker))
        return figures
    finally:
        gunicorn.terminate()
        gunicorn.wait()


def main() -> int:
    url, _ = bench_database()
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the session below is signed for gunicorn's key
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    cookie, day = session_cookie()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as hook:
        hook.write(HEAVY_AT_START)
    try:
        baseline = measure(url, cookie, day, (f"--config={hook.name}",))
        today = measure(url, cookie, day, ())
    finally:
        os.unlink(hook.name)
    labels = ["after start", *(name for name, _ in pages(day))]
    print(f"{'worker RSS, MB':<28} {'libraries at start':>20} {'where used (today)':>20}")
    for label, before, after in zip(labels, baseline, today, strict=True):
        print(f"{label:<28} {before:>20.1f} {after:>20.1f}")
    saved = baseline[0] - today[0]
    met = saved > 0
    print(f"start: {saved:.1f} MB smaller per worker: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
