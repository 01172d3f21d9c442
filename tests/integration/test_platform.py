"""Headers, health check, production settings and the docker-compose file agree with the app."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_check_answers_without_sign_in_and_without_patient_data(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_deny_framing(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "http" not in policy  # no CDN origins
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_bootstrap_is_served_from_our_own_static_files(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/static/bootstrap/css/bootstrap.min.css"' in page
    assert "cdn" not in page.lower()
    assert client.get("/static/bootstrap/css/bootstrap.min.css").status_code == 200


def _production_env(**extra: str) -> dict[str, str]:
    test_only = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x9!" * 20 + "production-like-secret-for-the-check",
            "ALLOWED_HOSTS": "screen.clinic.example",
            **extra,
        }
    )
    return env


def test_deploy_check_reports_nothing_under_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_reject_a_malformed_boolean():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(DEBUG="maybe"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "RESCREEN_INTERVAL_MONTHS must be 1 or more"), ("a year", "must be a whole number")],
)
def test_settings_reject_a_rescreen_interval_that_is_no_whole_month(value, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(RESCREEN_INTERVAL_MONTHS=value),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def _variables_read_by_settings() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"(?:env_\w+|os\.environ\.get)\(\s*\"([A-Z_]+)\"", source))


def test_every_variable_docker_compose_sets_for_the_app_is_read_by_the_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    read = _variables_read_by_settings()
    app_services = [s for s in compose["services"].values() if "build" in s]
    assert len(app_services) >= 2  # migrate and web
    for service in app_services:
        env = service["environment"]
        names = set(env) if isinstance(env, dict) else {item.split("=")[0] for item in env}
        assert names, service
        assert names - read == set(), f"variables no setting reads: {sorted(names - read)}"


def test_docker_compose_has_the_production_shape():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"postgres", "migrate", "web"} <= set(services)
    assert services["postgres"]["volumes"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    web_command = " ".join(services["web"]["command"])
    assert "gunicorn" in web_command
    workers = int(re.search(r"--workers[= ](\d+)", web_command).group(1))
    assert workers >= 2
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


HEAVY = ("pandas", "numpy", "scipy", "sklearn", "xlsxwriter")
_LOADED_AFTER = """
import sys
from django.core.wsgi import get_wsgi_application
from django.urls import URLResolver, get_resolver

get_wsgi_application()

def walk(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            walk(entry)

walk(get_resolver())
from django.template import engines

engines.all()  # every template tag library, as the first page does
{then}
print(",".join(name for name in {heavy!r} if name in sys.modules))
"""


def _heavy_loaded(then: str = "") -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _LOADED_AFTER.format(then=then, heavy=HEAVY)],
        cwd=ROOT,
        env=_production_env(DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [name for name in result.stdout.strip().split(",") if name]


def test_a_worker_loads_no_statistics_or_workbook_library_with_the_urls_or_templates():
    assert _heavy_loaded() == []


def test_the_statistics_and_workbook_libraries_load_where_they_are_used():
    used = "import analytics.services, exports.xlsx"
    assert set(_heavy_loaded(then=used)) == set(HEAVY)
