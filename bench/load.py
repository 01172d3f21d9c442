"""The load-test harness: gunicorn serving the benchmark database, wrk driving it, and the CPU
time each side spent (bench/bench_screening.py)."""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import BASE_DIR


def start_gunicorn(
    url: str, port: int, secret_key: str, *, workers: int = 2, extra: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """gunicorn with `workers` sync workers on bench/settings.py (DEBUG off, persistent
    connections), answering /healthz on `port`; `extra` adds command-line options."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"),
        "config.wsgi:application",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        *extra,
    ]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not answer /healthz within 30 s")


def run_wrk(script: str, seconds: int, connections: int, port: int) -> dict[str, int]:
    """wrk with the Lua `script` against gunicorn on `port`; the figures its RESULT line prints."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout=5s",
            "-s",
            handle.name,
            f"http://127.0.0.1:{port}",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if match is None:
        sys.exit(f"wrk printed no result:\n{output}")
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by gunicorn's processes and by PostgreSQL's (Linux /proc; the
    database's is 0 when DATABASE_URL points at another machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"app": 0.0, "db": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            name, fields = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue  # it ended meanwhile
        kind = "app" if b"gunicorn" in command else "db" if name.endswith("(postgres") else None
        if kind is not None:
            utime, stime = fields.split()[11:13]
            used[kind] += (int(utime) + int(stime)) / tick
    return used
