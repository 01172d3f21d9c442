"""No patient name, MRN or date of birth leaves the pages that are meant to show it: not in any
log record (every logger at DEBUG), e-mail, URL (redirects, links, form actions) or error page.

The flows run through the real views as each role would: search, register, open the patient,
record a visit with a safety answer (which e-mails reviewers), open the result, work the case,
open the exports, analytics and the audit log (filter by MRN, download), fail a sign-in, and hit
a 403, a 404 and a 500.
"""

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template
from django.urls import include, path, reverse
from django.utils import timezone

from exports.forms import ExportForm
from patients.models import Patient
from screening.models import Flag
from tests.factories import ANSWERS

# The test-only URL that fails, beside the real ones (see pytest.mark.urls below).
FAIL_PATH = "/test-only/fail/"


@login_not_required
def _fail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = Patient.objects.get(pk=pk)  # PHI in the view's locals when it fails
    raise RuntimeError(f"forced failure while showing patient {patient.pk}")


urlpatterns = [
    path("test-only/fail/<int:pk>/", _fail),
    path("", include("config.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

GIVEN, FAMILY, MRN = "Zebediah", "Quartermaine", "ZQ-7351908"
BORN = "1961-07-14"
# A date of birth as a log line, a URL or a template might spell it.
BORN_SPELLINGS = (
    BORN,
    "1961/07/14",
    "07/14/1961",
    "14/07/1961",
    "14.07.1961",
    "19610714",
    "July 14, 1961",
    "Jul 14, 1961",
    "Jul. 14, 1961",
    "14 July 1961",
)


def phi_in(text: str) -> list[str]:
    """The PHI values found in `text`, also URL-encoded, ignoring case."""
    variants = [GIVEN, FAMILY, MRN, *BORN_SPELLINGS]
    lowered = text.lower()
    decoded = unquote(text).lower()
    found = []
    for value in variants:
        forms = {value.lower(), quote(value).lower(), quote_plus(value).lower()}
        if any(form in lowered or form in decoded for form in forms):
            found.append(value)
    return found


_URL_ATTRIBUTE = re.compile(r'(?:href|src|action|formaction|data-[\w-]*url)="([^"]*)"')


@dataclass
class Trail:
    """Every URL the flows requested, were redirected to or were shown as a link."""

    urls: list[str] = field(default_factory=list)
    error_pages: dict[int, str] = field(default_factory=dict)

    def note(self, url: str, response: Any) -> Any:
        self.urls.append(url)
        if response.has_header("Location"):
            self.urls.append(response["Location"])
        content_type = response.get("Content-Type", "")
        if not getattr(response, "streaming", False) and "html" in content_type:
            body = response.content.decode()
            self.urls += _URL_ATTRIBUTE.findall(body)
            if response.status_code >= 400:
                self.error_pages[response.status_code] = body
        return response


class Browser:
    """Django's test client that notes every URL it sees on the trail."""

    def __init__(self, client: Any, trail: Trail) -> None:
        self.client, self.trail = client, trail

    def get(self, url: str, **data: Any) -> Any:
        return self.trail.note(url, self.client.get(url, data))

    def post(self, url: str, data: dict[str, Any] | None = None) -> Any:
        return self.trail.note(url, self.client.post(url, data or {}))


@pytest.fixture
def all_logs_at_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def leaking_loggers(caplog: pytest.LogCaptureFixture) -> dict[str, list[str]]:
    """Logger name -> the PHI its records carried (message and traceback)."""
    formatter = logging.Formatter("%(message)s")
    leaks: dict[str, list[str]] = {}
    for record in caplog.records:
        found = phi_in(formatter.format(record))
        if found:
            leaks.setdefault(record.name, sorted(set(leaks.get(record.name, []) + found)))
    return leaks


def mail_text() -> str:
    return "\n".join(f"{message.subject}\n{message.body}\n{message.to}" for message in mail.outbox)


def _visit_form(answers: dict[str, Any]) -> dict[str, str]:
    data = {
        "submission_id": str(uuid.uuid4()),
        "visit_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    for key, value in answers.items():
        data[key] = ("yes" if value else "no") if isinstance(value, bool) else value
    return data


def clinician_flows(browser: Browser, on_commit: Any) -> Patient:
    browser.get(reverse("patients:search"))
    for query in (FAMILY, GIVEN.lower(), MRN, BORN):
        assert browser.post(reverse("patients:search"), {"q": query}).status_code == 302
        assert browser.get(reverse("patients:search"), page="1").status_code == 200
    browser.get(reverse("patients:new"))
    registration = {
        "mrn": MRN,
        "given_name": GIVEN,
        "family_name": FAMILY,
        "date_of_birth": BORN,
        "sex": "male",
        "education": "some_college",
        "earnings": "25k_50k",
    }
    # a refused submit first (bad sex code), then the real one
    assert browser.post(reverse("patients:new"), registration | {"sex": "x"}).status_code == 200
    assert browser.post(reverse("patients:new"), registration).status_code == 302
    patient = Patient.objects.get(mrn=MRN)
    browser.post(reverse("patients:search"), {"q": MRN})
    browser.get(reverse("patients:search"), page="1")
    browser.get(reverse("patients:detail", args=[patient.pk]))
    visit_url = reverse("screening:visit_new", args=[patient.pk])
    browser.get(visit_url)
    browser.post(visit_url, {"visit_at": "not a date"})  # refused, answers kept
    with on_commit(execute=True):
        recorded = browser.post(visit_url, _visit_form(ANSWERS["safety"]))
    assert recorded.status_code == 302
    result = browser.get(recorded["Location"])
    assert result.status_code == 200
    browser.get(reverse("patients:detail", args=[patient.pk]))
    visit = patient.visits.get()
    browser.get(reverse("screening:visit_amend", args=[visit.pk]))
    return patient


def reviewer_flows(browser: Browser, patient: Patient) -> None:
    flag = Flag.objects.filter(patient=patient).order_by("-priority").first()
    assert flag is not None
    browser.get(reverse("review:queue"))
    browser.get(reverse("review:flag", args=[flag.pk]))
    browser.post(reverse("review:flag_claim", args=[flag.pk]))
    browser.post(reverse("review:flag_note", args=[flag.pk]), {"note-note": "Called."})
    browser.post(
        reverse("review:flag_resolve", args=[flag.pk]),
        {"resolve-outcome": "safety_assessed", "resolve-note": "Risk assessed; plan made."},
    )
    browser.get(reverse("review:flag", args=[flag.pk]))


def admin_flows(browser: Browser, patient: Patient) -> None:
    browser.get(reverse("exports:exports"))
    browser.get(reverse("exports:export_count"))
    identified = browser.get(reverse("exports:export_download"))
    assert identified.status_code == 200
    b"".join(identified.streaming_content)  # the identified file may hold PHI; its URL not
    for file_format in ("csv", "fhir"):
        choices = ExportForm.default_data() | {"format": file_format, "deidentified": "on"}
        deidentified = browser.get(reverse("exports:export_download"), **choices)
        assert deidentified.status_code == 200
        assert phi_in(b"".join(deidentified.streaming_content).decode()) == []
    browser.get(reverse("exports:export_download"), format="nonsense")  # refused
    browser.get(reverse("analytics:analytics"))
    browser.get(reverse("patients:detail", args=[patient.pk]))  # with the "accessed by" panel
    browser.get(reverse("audit:log"))
    browser.post(reverse("audit:log"), {"mrn": MRN})
    browser.get(reverse("audit:log"))
    browser.get(reverse("audit:log"), page="2")
    export = browser.post(reverse("audit:export"))
    assert phi_in(b"".join(export.streaming_content).decode()) == []
    browser.post(reverse("audit:log"), {"mrn": "NOT-" + MRN})  # refused: unknown MRN


def test_no_phi_in_logs_mail_or_urls_when_the_main_flows_run(
    client,
    clinician,
    reviewer,
    admin_user,
    all_logs_at_debug,
    django_capture_on_commit_callbacks,
):
    trail = Trail()
    browser = Browser(client, trail)

    client.force_login(clinician)
    patient = clinician_flows(browser, django_capture_on_commit_callbacks)
    client.force_login(reviewer)
    reviewer_flows(browser, patient)
    client.force_login(admin_user)
    admin_flows(browser, patient)
    client.logout()
    browser.post("/accounts/login/", {"username": clinician.username, "password": "wrong-pass"})
    # someone pastes the MRN into the username box: the audit keeps it, the logs must not
    browser.post("/accounts/login/", {"username": MRN, "password": "wrong-pass"})

    assert len(mail.outbox) >= 1, "the safety flag e-mails reviewers"
    assert phi_in(mail_text()) == []
    assert [(url, phi_in(url)) for url in trail.urls if phi_in(url)] == []
    # django.template needs audit.log_filters.DropDataFromDebugRecords (settings.LOGGING)
    assert leaking_loggers(all_logs_at_debug) == {}
    assert all_logs_at_debug.records, "log capture saw the flows"


def test_error_pages_show_no_data_when_a_patient_page_is_missing_forbidden_or_fails(
    client, clinician, all_logs_at_debug
):
    patient = Patient.objects.create(
        mrn=MRN,
        given_name=GIVEN,
        family_name=FAMILY,
        date_of_birth=BORN,
        sex="male",
        created_by=clinician,
    )
    trail = Trail()
    browser = Browser(client, trail)
    client.force_login(clinician)
    assert browser.get(reverse("patients:detail", args=[patient.pk + 1000])).status_code == 404
    assert (
        browser.get(f"{reverse('patients:detail', args=[patient.pk])}no-such-page/").status_code
        == 404
    )
    assert browser.get(reverse("audit:log")).status_code == 403
    client.raise_request_exception = False
    failed = browser.get(f"{FAIL_PATH}{patient.pk}/")
    assert failed.status_code == 500

    assert set(trail.error_pages) == {403, 404, 500}
    for status, body in trail.error_pages.items():
        assert phi_in(body) == [], status
    # our own pages, not Django's
    assert "Page not found" in trail.error_pages[404]
    assert "You don't have access to this page" in trail.error_pages[403]
    assert "Something went wrong" in trail.error_pages[500]
    logs = log_text(all_logs_at_debug)
    assert "forced failure while showing patient" in logs  # the 500 was logged, without PHI
    assert leaking_loggers(all_logs_at_debug) == {}


@pytest.mark.parametrize("name", ["400.html", "500.html"])
def test_400_and_500_pages_are_static_so_they_render_without_the_database_or_a_user(name):
    source = get_template(name).template.source
    assert "{%" not in source
    assert "{{" not in source


def test_bad_request_page_is_ours_and_shows_no_data(client):
    response = client.get("/accounts/login/", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


def test_template_debug_record_keeps_its_message_but_not_the_context_when_filtered():
    """Django logs an unresolvable template variable with the repr of the whole context."""
    from audit.log_filters import DropDataFromDebugRecords

    try:
        raise ValueError(f"Failed lookup for key [nav] in {{'patient': '{FAMILY}, {GIVEN}'}}")
    except ValueError as error:
        exc_info = (type(error), error, error.__traceback__)
    record = logging.LogRecord(
        "django.template",
        logging.DEBUG,
        __file__,
        1,
        "Exception while resolving %s",
        ("nav",),
        exc_info,
    )
    assert DropDataFromDebugRecords().filter(record) is True
    assert phi_in(logging.Formatter().format(record)) == []
    assert record.getMessage() == "Exception while resolving nav"
    sql = logging.LogRecord(
        "django.db.backends", logging.DEBUG, __file__, 1, "(0.001) %s", (f"SELECT '{MRN}'",), None
    )
    assert DropDataFromDebugRecords().filter(sql) is False


def test_no_phi_in_the_import_command_output_or_logs_when_rows_are_good_or_bad(
    clinician, all_logs_at_debug, tmp_path
):
    import csv
    import io

    from django.core.management import CommandError, call_command

    patient_columns = {
        "mrn": MRN,
        "given_name": GIVEN,
        "family_name": FAMILY,
        "date_of_birth": BORN,
        "sex": "male",
    }
    good = {**patient_columns, **ANSWERS["negative"], "visit_at": "2026-01-05T10:00"}
    # a patient value in a patient column is not echoed back; an answer column's bad value is
    # (the operator's own file), so the bad answer here is not PHI
    bad = {**good, "sex": f"{GIVEN}?", "visit_at": "2026-01-06T10:00", "backache_freq_30d": "often"}
    output = io.StringIO()
    for name, rows in (("bad.csv", [good, bad]), ("good.csv", [good])):
        path = tmp_path / name
        with path.open("w", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(good))
            writer.writeheader()
            writer.writerows(rows)
        try:
            call_command(
                "import_visits",
                str(path),
                clinician=clinician.username,
                stdout=output,
                stderr=output,
            )
        except CommandError as error:
            output.write(str(error))
    assert Patient.objects.filter(mrn=MRN).count() == 1  # the good file was imported
    assert "line 3" in output.getvalue()  # the bad file's error names the line, not the value
    assert phi_in(output.getvalue()) == []
    assert leaking_loggers(all_logs_at_debug) == {}
