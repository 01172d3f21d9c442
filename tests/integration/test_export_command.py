"""`manage.py export_visits` writes the same file as the exports page's download for the same
choices, audits it the same way, and refuses bad choices without writing anything."""

import datetime as dt
import io
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Audit, AuditAction
from screening.models import FlagKind
from tests.factories import FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FROM = (TODAY - dt.timedelta(days=30)).isoformat()
CHOICES = [
    pytest.param({"format": "csv"}, [], id="csv"),
    pytest.param({"format": "csv", "labels": "labels"}, ["--labels"], id="csv-labels"),
    pytest.param(
        {"format": "csv", "deidentified": "on", "midus_names": "on", "dates": "year"},
        ["--deidentified", "--midus-names", "--dates", "year"],
        id="csv-deidentified",
    ),
    pytest.param({"format": "fhir"}, ["--format", "fhir"], id="fhir"),
    pytest.param(
        {"format": "fhir", "deidentified": "on"},
        ["--format", "fhir", "--deidentified"],
        id="fhir-deidentified",
    ),
    pytest.param(
        {"format": "csv", "flag_kind": "assess_depression"},
        ["--flag-kind", "assess_depression"],
        id="filtered",
    ),
]


@pytest.fixture
def visits():
    patient = PatientFactory(given_name='=cmd|" /C calc', family_name="Núñez")
    first = VisitFactory(patient=patient, visit_at=timezone.now() - dt.timedelta(days=3))
    VisitFactory(patient=patient, visit_at=timezone.now() - dt.timedelta(days=1))
    FlagFactory(patient=patient, visit=first, kind=FlagKind.ASSESS_DEPRESSION)
    VisitFactory.create_batch(3)


def download(client, user, query: dict[str, str]) -> bytes:
    client.force_login(user)
    params = {"date_from": FROM, "date_to": TODAY.isoformat(), "current_only": "on"}
    params |= {"labels": "codes", "dates": "shifted", **query}
    response = client.get(reverse("exports:export_download"), params)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return b"".join(response)


def run(user, output, *options: str) -> None:
    call_command("export_visits", "--user", user.username, "--output", str(output), *options)


@pytest.mark.parametrize(("query", "options"), CHOICES)
def test_file_is_byte_for_byte_the_download_when_the_choices_match(
    client, admin_user, visits, tmp_path, query, options
):
    downloaded = download(client, admin_user, query)
    output = tmp_path / "visits.out"

    run(admin_user, output, "--from", FROM, "--to", TODAY.isoformat(), *options)

    assert output.read_bytes() == downloaded
    assert len(downloaded.splitlines()) >= 2  # a header and at least one visit


def test_workbook_holds_the_downloaded_cells_when_exported_as_xlsx(
    client, admin_user, visits, tmp_path
):
    downloaded = load_workbook(io.BytesIO(download(client, admin_user, {"format": "xlsx"})))
    output = tmp_path / "visits.xlsx"

    run(admin_user, output, "--format", "xlsx")

    written = load_workbook(output)
    for name in ("Visits", "Columns"):
        assert list(written[name].values) == list(downloaded[name].values)
    assert len(list(written["Visits"].values)) == 6


def test_export_is_audited_like_a_download_when_run(client, admin_user, visits, tmp_path):
    download(client, admin_user, {"format": "csv"})
    run(admin_user, tmp_path / "visits.csv")

    by_page, by_command = Audit.objects.filter(action=AuditAction.EXPORT).order_by("id")
    assert by_command.actor == admin_user
    assert by_command.detail["row_count"] == by_page.detail["row_count"] == 5
    page_filters = {k: v for k, v in by_page.detail["filters"].items() if k != "as_of"}
    command_filters = {k: v for k, v in by_command.detail["filters"].items() if k != "as_of"}
    assert command_filters == page_filters


def test_file_is_readable_by_its_owner_only_when_written(admin_user, visits, tmp_path):
    output = tmp_path / "visits.csv"

    run(admin_user, output)

    assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_progress_goes_to_stderr_when_run(admin_user, visits, tmp_path, capsys):
    run(admin_user, tmp_path / "visits.csv")

    assert "exporting 5 visits as CSV" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--from", "2026-13-01"], "date_from: Enter the date as YYYY-MM-DD."),
        (["--from", "2026-05-02", "--to", "2026-05-01"], "The end date is before the start date."),
        (["--clinician", "nobody"], "clinician: Choose a clinician from the list."),
    ],
)
def test_bad_choices_exit_2_and_write_nothing_when_given(
    admin_user, visits, tmp_path, options, message
):
    output = tmp_path / "visits.csv"

    with pytest.raises(CommandError, match=message) as raised:
        run(admin_user, output, *options)

    assert raised.value.returncode == 2
    assert not output.exists()
    assert not Audit.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_user_who_may_not_export_is_refused_when_named(clinician, visits, tmp_path):
    output = tmp_path / "visits.csv"

    with pytest.raises(CommandError, match="may export"):
        run(clinician, output)

    assert not output.exists()
