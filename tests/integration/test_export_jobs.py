"""Background export jobs: an export over the threshold is queued, the database worker writes its
file, only its requester downloads it, and it expires; each step audited."""

import csv
import datetime as dt
import errno
import io
import os
import stat
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from accounts.roles import ADMIN
from audit.models import Audit, AuditAction
from exports import writers
from exports.models import ExportJob
from tests.conftest import make_user
from tests.factories import VisitFactory

# committed, as in production: the worker closes connections left in a transaction between tasks
pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.EXPORT_JOB_DIR = tmp_path / "export-jobs"
    settings.EXPORT_TMP_DIR = tmp_path / "export-tmp"
    settings.EXPORT_JOB_THRESHOLD_ROWS = 2
    settings.EXPORT_JOB_THRESHOLD_ROWS_BUILT = 2
    return settings


@pytest.fixture
def visits():
    return [VisitFactory(visit_at=timezone.now() - dt.timedelta(days=d + 1)) for d in range(3)]


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def choices(export_format: str = "csv", **extra: str) -> dict[str, str]:
    return {
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": export_format,
        "labels": "codes",
        "dates": "shifted",
        **extra,
    }


def run_worker() -> None:
    """The database backend's own worker (`manage.py db_worker --batch`), in this process: it
    claims each ready task, runs it and records its result, then stops when none is left."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def queue(client, export_format: str = "csv", **extra: str) -> ExportJob:
    response = client.post(reverse("exports:job_create"), choices(export_format, **extra))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    return job


def download(client, job: ExportJob):
    return client.get(reverse("exports:job_file", args=[job.pk]))


def test_download_is_refused_and_a_job_offered_when_more_visits_match_than_streams(
    signed_in, visits
):
    response = signed_in.get(reverse("exports:export_download"), choices())
    page = response.content.decode()
    assert response.status_code == 409
    assert not response.streaming
    assert "Prepare <span data-export-format>CSV</span> in the background" in page
    assert 'action="/exports/jobs/"' in page
    count = signed_in.get(reverse("exports:export_count"), choices()).json()
    assert count["job"] is True
    assert not Audit.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_is_queued_with_its_choices_and_audited_when_posted(signed_in, admin_user, visits):
    job = queue(signed_in, deidentified="on")
    assert job.status == ExportJob.Status.QUEUED
    assert job.requested_by == admin_user
    assert job.rows_announced == 3
    assert job.deidentified is True
    assert job.filters["date_to"] == TODAY.isoformat()
    assert job.filters["as_of"]  # pinned: the count announced is what the file holds
    assert DBTaskResult.objects.filter(id=job.task_result_id, status="READY").exists()
    audit = Audit.objects.get(action=AuditAction.EXPORT_QUEUED)
    assert (audit.actor, audit.object_id, audit.detail["row_count"]) == (admin_user, str(job.pk), 3)
    page = signed_in.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "Status: <span data-job-label>Queued</span>" in page
    assert '<meta http-equiv="refresh" content="10">' in page  # without JavaScript
    assert "refresh now" in page


def test_worker_writes_the_same_bytes_as_a_download_owner_only(
    signed_in, visits, job_settings, admin_user
):
    job = queue(signed_in)
    run_worker()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.rows_written == 3
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)
    folder = job_settings.EXPORT_JOB_DIR
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (path,) = folder.iterdir()
    assert path.name == job.file_name
    assert path.suffix == ".csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"
    finished = Audit.objects.get(action=AuditAction.EXPORT_JOB_FINISHED)
    assert finished.detail["rows_written"] == 3

    status = signed_in.get(reverse("exports:job_status", args=[job.pk])).json()
    assert status == {
        "status": "done",
        "label": "Ready to download",
        "rows_written": 3,
        "rows_announced": 3,
        "active": False,
    }
    page = signed_in.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "3 of 3 visits written." in page
    assert f'href="/exports/jobs/{job.pk}/file/"' in page

    response = download(signed_in, job)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith('attachment; filename="visits-')
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 4
    got = Audit.objects.get(action=AuditAction.EXPORT_DOWNLOAD)
    assert (got.actor, got.object_id) == (admin_user, str(job.pk))

    # the same bytes as the command (and so the download) of the same choices, pinned alike
    started = job.export()
    target = io.BytesIO()
    writers.write(started, target)
    assert target.getvalue() == body


def test_xlsx_job_holds_the_same_cells_as_the_csv_job(signed_in, visits):
    queue(signed_in, "xlsx", labels="labels")
    queue_second = signed_in.post(reverse("exports:job_create"), choices("csv", labels="labels"))
    assert queue_second.status_code == 302
    run_worker()
    xlsx_job, csv_job = (
        ExportJob.objects.get(format="xlsx"),
        ExportJob.objects.get(format="csv"),
    )
    book = load_workbook(io.BytesIO(b"".join(download(signed_in, xlsx_job).streaming_content)))
    text = b"".join(download(signed_in, csv_job).streaming_content).decode("utf-8-sig")
    sheet = list(book["Visits"].iter_rows(values_only=True))
    table = list(csv.reader(io.StringIO(text)))
    assert list(sheet[0]) == table[0]
    assert len(sheet) == len(table) == 4
    position = table[0].index("visit_id")
    assert [str(row[position]) for row in sheet[1:]] == [row[position] for row in table[1:]]


def test_fhir_job_writes_one_response_a_visit(signed_in, visits):
    job = queue(signed_in, "fhir")
    run_worker()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    body = b"".join(download(signed_in, job).streaming_content).decode()
    assert body.count('{"resourceType":"QuestionnaireResponse"') == 3


def test_only_the_requester_or_a_permitted_user_sees_or_downloads_the_job(
    client, signed_in, visits
):
    job = queue(signed_in)
    run_worker()
    urls = [reverse(name, args=[job.pk]) for name in ("exports:job", "exports:job_status")]
    urls.append(reverse("exports:job_file", args=[job.pk]))

    other_admin = make_user("other_admin", ADMIN)
    client.force_login(other_admin)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(make_user("a_clinician", "clinician"))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert not Audit.objects.filter(action=AuditAction.EXPORT_DOWNLOAD).exists()

    other_admin.user_permissions.add(Permission.objects.get(codename="download_any_exportjob"))
    client.force_login(other_admin)
    assert download(client, job).status_code == 200
    assert Audit.objects.get(action=AuditAction.EXPORT_DOWNLOAD).actor == other_admin


def test_expiry_deletes_the_file_and_is_audited(signed_in, visits, job_settings):
    job = queue(signed_in)
    run_worker()
    job.refresh_from_db()
    path = job_settings.EXPORT_JOB_DIR / job.file_name
    assert path.exists()

    call_command("expire_exports", stdout=io.StringIO())  # not yet due
    assert path.exists()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert download(signed_in, job).status_code == 410  # past its time, even before cleanup
    out = io.StringIO()
    call_command("expire_exports", stdout=out)

    assert "expired 1 export job" in out.getvalue()
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    expired = Audit.objects.get(action=AuditAction.EXPORT_EXPIRED)
    assert expired.object_id == str(job.pk)
    response = download(signed_in, job)
    assert response.status_code == 410
    assert "no longer available" in response.content.decode()


def test_worker_runs_the_expiry_it_scheduled_when_its_time_comes(signed_in, visits, job_settings):
    job = queue(signed_in)
    run_worker()
    expiry = DBTaskResult.objects.get(task_path="exports.tasks.expire_export_files")
    job.refresh_from_db()
    assert expiry.run_after == job.expires_at
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    DBTaskResult.objects.filter(pk=expiry.pk).update(run_after=timezone.now())
    run_worker()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert list(job_settings.EXPORT_JOB_DIR.iterdir()) == []


def test_failed_job_says_why_and_leaves_no_file(signed_in, visits, job_settings, monkeypatch):
    def disk_full(export, target, progress=None):
        target.write(b"visit_id,mrn\n1,MRN-1\n")  # half a file of patient data
        raise OSError(errno.ENOSPC, "No space left on device: MRN-1")

    monkeypatch.setattr(writers, "write", disk_full)
    job = queue(signed_in)
    run_worker()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "export folder is full or unavailable" in job.error
    assert "MRN" not in job.error
    assert list(job_settings.EXPORT_JOB_DIR.iterdir()) == []
    failed = Audit.objects.get(action=AuditAction.EXPORT_JOB_FAILED)
    assert failed.detail["error"] == "OSError"
    result = DBTaskResult.objects.get(id=job.task_result_id)
    assert result.status == "FAILED"
    assert "MRN" not in result.traceback
    page = signed_in.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "The export failed: The file could not be written" in page
    assert download(signed_in, job).status_code == 410


def test_exports_page_lists_the_users_jobs(signed_in, visits):
    job = queue(signed_in, "xlsx")
    page = signed_in.get(reverse("exports:exports")).content.decode()
    assert "Your background exports" in page
    assert f'href="/exports/jobs/{job.pk}/"' in page
    assert "0 of 3" in page


def test_cleanup_removes_what_a_stopped_worker_left_and_keeps_live_files(
    signed_in, visits, job_settings
):
    job = queue(signed_in)
    run_worker()
    job.refresh_from_db()
    folder = job_settings.EXPORT_JOB_DIR
    partial = folder / ".0123abcd.csv.part"  # a worker killed mid-file
    unlisted = folder / "4567cdef.csv"  # renamed, then killed before the job was marked done
    for path in (partial, unlisted):
        path.write_bytes(b"visit_id,mrn\n")
        os.utime(path, (time.time() - 3600, time.time() - 3600))

    call_command("expire_exports", stdout=io.StringIO())

    assert sorted(path.name for path in folder.iterdir()) == [job.file_name]
