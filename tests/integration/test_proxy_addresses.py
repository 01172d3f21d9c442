"""Behind reverse proxies, the client's address comes from X-Forwarded-For through the configured
number of trusted proxies only: one client's failed sign-ins lock that client out and nobody
else, and the audit trail names each client. Driven through a real gunicorn, as deployed."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import global_settings, settings
from django.contrib.auth.models import User
from django.test import RequestFactory, override_settings

from accounts.roles import CLINICIAN, REVIEWER
from audit.models import Audit, AuditAction
from audit.requests import client_ip
from tests.conftest import TEST_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
ATTACKER = "203.0.113.66"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        pytest.param(0, "198.51.100.7", "10.0.0.5", id="no-proxy-ignores-the-header"),
        pytest.param(1, None, "10.0.0.5", id="one-proxy-without-header-keeps-the-peer"),
        pytest.param(1, "192.0.2.1", "192.0.2.1", id="one-proxy"),
        pytest.param(1, "198.51.100.7, 192.0.2.1", "192.0.2.1", id="one-proxy-forged-left"),
        pytest.param(2, "198.51.100.7, 192.0.2.1, 10.1.1.1", "192.0.2.1", id="two-proxies"),
        pytest.param(2, "192.0.2.1", "10.0.0.5", id="fewer-hops-than-proxies-keeps-the-peer"),
        pytest.param(1, "unknown", "10.0.0.5", id="not-an-address-keeps-the-peer"),
        pytest.param(1, "2001:db8::1", "2001:db8::1", id="ipv6"),
    ],
)
def test_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", **headers)
    assert client_ip(request) == expected


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited at start"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("gunicorn did not answer /healthz within 60 s")


@pytest.fixture
def gunicorn(transactional_db: None) -> Iterator[Callable[[int], int]]:
    """Start gunicorn on the test database with production settings and TRUSTED_PROXY_COUNT;
    its port. Two workers, so lockouts must hold across processes."""
    database = settings.DATABASES["default"]
    url = f"postgresql://{database['USER']}@{quote(database['HOST'], safe='')}/{database['NAME']}"
    started: list[subprocess.Popen[bytes]] = []

    def start(trusted_proxy_count: int) -> int:
        port = _free_port()
        env = {
            **{
                key: value
                for key, value in os.environ.items()
                if key not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "MIGRATE_DATABASE_URL"}
            },
            "DATABASE_URL": url,
            "TRUSTED_PROXY_COUNT": str(trusted_proxy_count),
            "SECRET_KEY": "x9!" * 20 + "production-like-secret-for-the-test",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ]
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        started.append(process)
        _wait_for_health(process, port)
        return port

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def deployed_user(username: str, role: str) -> User:
    """A user whose password the server can check: it hashes as production does, not with the
    tests' fast hasher."""
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        return make_user(username, role)


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, str, SimpleCookie]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return response.status, response.read().decode(), cookies
    finally:
        connection.close()


def sign_in(port: int, username: str, password: str, *, forwarded_for: str | None) -> int:
    """A new browser's sign-in, reaching gunicorn with this X-Forwarded-For; the status of the
    POST (302 signed in, 200 refused, 429 locked out)."""
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    status, page, cookies = _request(port, "GET", LOGIN, headers)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    headers = {
        **headers,
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return _request(port, "POST", LOGIN, headers, urlencode(form))[0]


def _addresses(action: str) -> set[tuple[str, str]]:
    return set(Audit.objects.filter(action=action).values_list("username", "ip_address"))


@pytest.mark.django_db(transaction=True)
def test_only_the_attacker_is_locked_out_when_clients_come_through_one_trusted_proxy(gunicorn):
    deployed_user("dr_clinician", CLINICIAN)
    deployed_user("rev_reviewer", REVIEWER)
    port = gunicorn(1)
    # the proxy appends the address it saw; what stands left of it the client wrote itself
    statuses = [
        sign_in(port, "ad_admin", "guess", forwarded_for=f"198.51.100.{attempt}, {ATTACKER}")
        for attempt in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks

    assert sign_in(port, "dr_clinician", TEST_PASSWORD, forwarded_for=ATTACKER) == 429
    assert sign_in(port, "dr_clinician", TEST_PASSWORD, forwarded_for="192.0.2.10") == 302
    assert sign_in(port, "rev_reviewer", TEST_PASSWORD, forwarded_for="192.0.2.20") == 302

    # the attacker's refused attempt with a colleague's password is a failure and a lockout too
    assert {ip for _, ip in _addresses(AuditAction.SIGN_IN_FAILED)} == {ATTACKER}
    assert _addresses(AuditAction.LOCKOUT) == {("ad_admin", ATTACKER), ("dr_clinician", ATTACKER)}
    assert _addresses(AuditAction.SIGN_IN) == {
        ("dr_clinician", "192.0.2.10"),
        ("rev_reviewer", "192.0.2.20"),
    }
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.django_db(transaction=True)
def test_a_forged_forwarded_header_changes_nothing_when_no_proxy_is_trusted(gunicorn):
    deployed_user("dr_clinician", CLINICIAN)
    port = gunicorn(0)
    statuses = [
        sign_in(port, "nobody", "guess", forwarded_for=f"198.51.100.{attempt}")
        for attempt in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

    assert sign_in(port, "dr_clinician", TEST_PASSWORD, forwarded_for="192.0.2.10") == 429
    addresses = set(Audit.objects.values_list("ip_address", flat=True))
    assert addresses == {"127.0.0.1"}
    assert ("nobody", "127.0.0.1") in _addresses(AuditAction.LOCKOUT)
