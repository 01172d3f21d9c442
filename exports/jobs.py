"""Background export jobs: queued with the request's filters and user, written by the worker to a
file only that user (or a holder of exports.download_any_exportjob) may download, deleted when it
expires. Every step is audited (docs/exports.md "Background jobs").

The worker runs `run_job` through the task in exports/tasks.py (`manage.py db_worker`). The file
is written by exports.writers.write, the one place every export leaves the app through, so a
job's file has the same bytes as a download of the same choices; its rows are read there and
nowhere else in this module (a read replica, when there is one, is chosen in that one place).
"""

import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import Actor, record_audit
from config.replica import long_reads
from exports import tmpfiles, writers
from exports.export import Export, Format, Progress
from exports.models import ExportJob
from exports.selectors import count_rows

logger = logging.getLogger(__name__)

JOB_DIR_SETTING = "EXPORT_JOB_DIR"
PART = ".part"  # a file being written: renamed to its final name only when complete
EXPIRY_USERNAME = "(expiry)"  # the audit's name for the cleanup, which no person runs
_EXTENSIONS = {Format.CSV: "csv", Format.XLSX: "xlsx", Format.FHIR: "ndjson"}


class ExportJobFailed(Exception):
    """The job failed; its row says why. Raised so the task's own result is marked failed too,
    without the original exception (its text may hold PHI)."""


def threshold(export_format: str) -> int:
    """Above this many visits the export is prepared as a job: CSV streams at COPY's speed, a
    workbook or FHIR is built row by row in Python (docs/exports.md)."""
    if export_format == Format.CSV:
        return int(settings.EXPORT_JOB_THRESHOLD_ROWS)
    return int(settings.EXPORT_JOB_THRESHOLD_ROWS_BUILT)


def needs_job(export_format: str, row_count: int) -> bool:
    return row_count > threshold(export_format)


def job_folder() -> Path:
    """EXPORT_JOB_DIR: made 0700 if missing, refused if another user owns it."""
    return tmpfiles.folder(JOB_DIR_SETTING)


def job_file(job: ExportJob) -> Path:
    return Path(settings.EXPORT_JOB_DIR) / job.file_name


def may_use(job: ExportJob, user: object) -> bool:
    """Only the requester, or someone allowed to download anyone's jobs, sees or downloads it."""
    return job.requested_by_id == getattr(user, "pk", None) or bool(
        user.has_perm("exports.download_any_exportjob")  # type: ignore[attr-defined]
    )


def recent_jobs(user: object, limit: int = 10) -> list[ExportJob]:
    """The user's own latest jobs, for the exports page."""
    return list(ExportJob.objects.filter(requested_by=user)[:limit])


# Queueing ---------------------------------------------------------------------------------------


def queue_job(*, export: Export, actor: Actor) -> ExportJob:
    """The export pinned to now, counted, stored as a job and queued for the worker, audited:
    one transaction, so the worker never sees a job without its row or its audit."""
    from exports.tasks import run_export_job  # the task module imports this one

    pinned = export.as_of_now()
    with transaction.atomic(durable=True), long_reads():
        row_count = count_rows(pinned)  # where the worker's rows will come from
        job = ExportJob.objects.create(
            requested_by=actor.user,
            format=pinned.format,
            deidentified=pinned.options.deidentified,
            filters=pinned.filters.for_audit(),
            options=pinned.options_json(),
            rows_announced=row_count,
        )
        result = run_export_job.enqueue(job.pk)
        job.task_result_id = str(result.id)
        job.save(update_fields=["task_result_id"])
        record_audit(
            actor=actor,
            action=AuditAction.EXPORT_QUEUED,
            obj=job,
            detail=pinned.audit_detail(row_count),
        )
    return job


# Running (in the worker) ----------------------------------------------------------------------


class _ProgressRecorder:
    """Writes the rows written so far to the job's row on a connection of its own: the writer
    reads inside a transaction that ends only with the file, so the page would see nothing."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.rows = 0
        self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = ExportJob._meta.db_table  # our own name, not input
        self._sql = f"UPDATE {table} SET rows_written = %s WHERE id = %s"  # noqa: S608

    def __call__(self, rows: int) -> None:
        self.rows = rows
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(self._sql, [rows, self.job_id])
        except DatabaseError:
            logger.warning("export job %s: progress not recorded", self.job_id)

    def close(self) -> None:
        self._connection.close()


def run_job(job_id: int) -> int:
    """Write the job's file (to a temporary name in EXPORT_JOB_DIR, renamed when complete), mark
    it done and audit it; the rows written. A job no longer queued is left alone (0)."""
    with transaction.atomic(durable=True):
        job = ExportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status != ExportJob.Status.QUEUED:
            return 0
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    progress = _ProgressRecorder(job.pk)
    try:
        name, rows = write_file(job.export(), progress)
    except BaseException as stop:
        _fail(job, stop, progress.rows)
        raise ExportJobFailed(f"export job {job.pk} failed ({type(stop).__name__})") from None
    finally:
        progress.close()
    _finish(job, name, rows)
    return rows


def write_file(export: Export, progress: Progress | None = None) -> tuple[str, int]:
    """The export's whole file in EXPORT_JOB_DIR under a new random name: written to a partial
    file beside it, renamed when complete, removed if anything stops it; the name and rows."""
    folder = job_folder()
    name = f"{secrets.token_hex(16)}.{_EXTENSIONS[Format(export.format)]}"
    part = tmpfiles.owner_only_file(folder / f".{name}{PART}")
    try:
        with part.open("r+b") as target:
            rows = writers.write(export, target, progress)
            target.flush()
            os.fsync(target.fileno())
        part.rename(folder / name)
    except BaseException:
        part.unlink(missing_ok=True)  # never half a file of patient data
        raise
    return name, rows


def _finish(job: ExportJob, name: str, rows: int) -> None:
    from exports.tasks import expire_export_files

    now = timezone.now()
    with transaction.atomic(durable=True):
        job.status = ExportJob.Status.DONE
        job.rows_written = rows
        job.file_name = name
        job.finished_at = now
        job.expires_at = now + dt.timedelta(hours=settings.EXPORT_JOB_EXPIRY_HOURS)
        job.save(update_fields=["status", "rows_written", "file_name", "finished_at", "expires_at"])
        record_audit(
            actor=Actor(user=job.requested_by),
            action=AuditAction.EXPORT_JOB_FINISHED,
            obj=job,
            detail={"rows_written": rows, "row_count": job.rows_announced, "format": job.format},
        )
        # the worker deletes the file when it expires (and `manage.py expire_exports` too)
        expire_export_files.using(run_after=job.expires_at).enqueue()


def failure_message(stop: BaseException) -> str:
    """Why a job failed, in words for its requester: from the kind of error, never its text."""
    if isinstance(stop, DatabaseError):
        return (
            "The database stopped answering while the file was written (connection lost or "
            "timed out). Queue the export again; if it fails again, tell the system administrator."
        )
    if isinstance(stop, OSError):
        return (
            "The file could not be written (the export folder is full or unavailable). Tell the "
            "system administrator, then queue the export again."
        )
    if isinstance(stop, KeyboardInterrupt | SystemExit):
        return "The worker was stopped while it wrote the file. Queue the export again."
    return (
        f"An unexpected error ({type(stop).__name__}) stopped the export. Queue it again; if it "
        "fails again, tell the system administrator."
    )


def _fail(job: ExportJob, stop: BaseException, rows: int) -> None:
    with transaction.atomic(durable=True):
        job.status = ExportJob.Status.FAILED
        job.rows_written = rows
        job.finished_at = timezone.now()
        job.error = failure_message(stop)
        job.save(update_fields=["status", "rows_written", "finished_at", "error"])
        record_audit(
            actor=Actor(user=job.requested_by),
            action=AuditAction.EXPORT_JOB_FAILED,
            obj=job,
            detail={"rows_written": rows, "error": type(stop).__name__},
        )
    logger.warning("export job %s failed: %s", job.pk, type(stop).__name__)


# Downloading and expiry -----------------------------------------------------------------------


@dataclass(frozen=True)
class JobDownload:
    """An open, finished job file and the name it is downloaded as (dates and mode, no PHI)."""

    file: object
    filename: str
    content_type: str


def open_download(*, job: ExportJob, actor: Actor) -> JobDownload | None:
    """The finished, unexpired job's file opened for sending, audited; None when it is gone."""
    if job.status != ExportJob.Status.DONE or job.expires_at <= timezone.now():
        return None
    try:
        handle = job_file(job).open("rb")
    except FileNotFoundError:
        return None
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action=AuditAction.EXPORT_DOWNLOAD,
            obj=job,
            detail={"rows_written": job.rows_written, "format": job.format},
        )
    export = job.export()
    return JobDownload(file=handle, filename=export.filename, content_type=export.content_type)


def expire_jobs(now: dt.datetime | None = None) -> int:
    """Delete the files of finished jobs whose time is up, mark them expired and audit each; also
    remove what a stopped worker left (a partial file, or a file no job lists). The jobs expired."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic(durable=True):
        due = ExportJob.objects.select_for_update(skip_locked=True).filter(
            status=ExportJob.Status.DONE, expires_at__lte=now
        )
        for job in due:
            job_file(job).unlink(missing_ok=True)
            job.status = ExportJob.Status.EXPIRED
            job.save(update_fields=["status"])
            record_audit(
                actor=Actor(user=AnonymousUser()),
                username=EXPIRY_USERNAME,
                action=AuditAction.EXPORT_EXPIRED,
                obj=job,
                detail={"requested_by": job.requested_by_id, "format": job.format},
            )
            expired += 1
    _remove_strays()
    return expired


def _remove_strays() -> None:
    folder = Path(settings.EXPORT_JOB_DIR)
    if not folder.is_dir():
        return
    running = ExportJob.objects.filter(status=ExportJob.Status.RUNNING).exists()
    kept = set(
        ExportJob.objects.filter(status=ExportJob.Status.DONE).values_list("file_name", flat=True)
    )
    for entry in folder.iterdir():
        # a running job's files are its work in progress, a new file may be one just renamed
        if running or not entry.is_file() or not tmpfiles.older_than_grace(entry):
            continue
        if entry.name.endswith(PART) or entry.name not in kept:
            entry.unlink(missing_ok=True)
