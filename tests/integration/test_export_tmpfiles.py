"""Nothing with patient data is left behind: exports build their files in the app's own
owner-only folder (EXPORT_TMP_DIR), remove them when the export ends however it ends, and every
process start removes what a killed one left; an export that stops early is audited as such."""

import datetime as dt
import fcntl
import io
import os
import select
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import ADMIN
from audit.models import Audit, AuditAction
from audit.services import Actor
from exports import tmpfiles, writers
from exports.export import Export, ExportFilters
from exports.services import start_export
from tests.conftest import _runtime_credentials, make_user, owner_connection
from tests.factories import VisitFactory

ROOT = Path(__file__).resolve().parents[2]
TODAY = timezone.localdate()
FORMATS = ["csv", "xlsx", "fhir"]


@pytest.fixture
def export_tmp(settings, tmp_path) -> Path:
    settings.EXPORT_TMP_DIR = tmp_path / "export-tmp"
    return settings.EXPORT_TMP_DIR


def download(client, export_format: str):
    query = {
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": export_format,
        "labels": "codes",
        "dates": "shifted",
    }
    return client.get(reverse("exports:export_download"), query)


def _sizes(paths: Iterator[Path]) -> dict[Path, int]:
    """The size of each path still there when asked."""
    sizes = {}
    for path in paths:
        try:
            sizes[path] = path.stat().st_size
        except FileNotFoundError:
            continue
    return sizes


def left_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def closing_row(action: str) -> Audit:
    started = Audit.objects.get(action=AuditAction.EXPORT)
    closing = Audit.objects.get(action=action)
    assert (closing.object_type, closing.object_id) == ("audit.audit", str(started.pk))
    assert (closing.actor, closing.ip_address) == (started.actor, started.ip_address)
    return closing


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", FORMATS)
def test_export_is_closed_complete_with_its_rows_when_all_is_sent(
    client, admin_user, export_tmp, export_format
):
    VisitFactory.create_batch(3)
    client.force_login(admin_user)
    b"".join(download(client, export_format).streaming_content)

    closing = closing_row(AuditAction.EXPORT_COMPLETE)
    assert closing.detail == {"rows_written": 3, "row_count": 3}
    assert not Audit.objects.filter(action=AuditAction.EXPORT_INCOMPLETE).exists()
    assert left_in(export_tmp) == []


# Committed rows: closing a response ends the request, and Django then closes a connection
# left inside a transaction, as a test's would be.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("export_format", FORMATS)
def test_no_file_is_left_and_the_export_is_audited_incomplete_when_the_reader_goes_away(
    client, admin_user, export_tmp, export_format
):
    VisitFactory.create_batch(2)
    client.force_login(admin_user)
    response = download(client, export_format)
    next(iter(response.streaming_content))  # the first piece; then the browser goes away
    response.close()  # as the server does when it cannot send

    closing = closing_row(AuditAction.EXPORT_INCOMPLETE)
    assert closing.detail["complete"] is False
    assert closing.detail["stopped"] == "disconnected"
    assert closing.detail["row_count"] == 2
    assert closing.detail["rows_written"] <= 2
    assert not Audit.objects.filter(action=AuditAction.EXPORT_COMPLETE).exists()
    assert left_in(export_tmp) == []


@pytest.fixture
def patients_unreadable(db: None) -> Iterator[None]:
    """From now on the database refuses the app's role every read of patients: the export
    query (which joins them) fails once under way, after the count (which does not)."""
    role = _runtime_credentials["USER"]
    with owner_connection() as owner:
        owner.execute(f"REVOKE SELECT ON patients_patient FROM {role}")  # noqa: S608
        try:
            yield
        finally:
            owner.execute(f"GRANT SELECT ON patients_patient TO {role}")


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", FORMATS)
def test_no_file_is_left_and_the_export_is_audited_incomplete_when_writing_fails(
    client, admin_user, export_tmp, export_format, request
):
    VisitFactory.create_batch(2)
    client.force_login(admin_user)
    request.getfixturevalue("patients_unreadable")
    with pytest.raises(Exception, match="permission denied for table patients_patient"):
        # a workbook is built before the response: the failure surfaces in the view
        b"".join(download(client, export_format).streaming_content)

    detail = closing_row(AuditAction.EXPORT_INCOMPLETE).detail
    # the error's type (Django's, or psycopg's own under CSV's COPY), never its message
    assert detail.pop("error") in {"ProgrammingError", "InsufficientPrivilege"}
    assert detail == {"rows_written": 0, "row_count": 2, "complete": False, "stopped": "error"}
    assert left_in(export_tmp) == []


def _modes(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder.parent)): stat.S_IMODE(path.stat().st_mode)
        for path in [folder, *folder.rglob("*")]
    }


@pytest.mark.django_db
def test_a_workbook_is_built_owner_only_in_the_folder_and_removed_when_written(
    admin_user, export_tmp
):
    VisitFactory.create_batch(2)
    export_tmp.mkdir(mode=0o755)  # an existing folder others could read is closed first
    seen: list[dict[str, int]] = []

    def building(done: int) -> None:
        """Progress hears the last row read while the workbook is still being built."""
        seen.append(_modes(export_tmp))

    export = Export("xlsx", ExportFilters(date_from=TODAY, date_to=TODAY))
    started = start_export(export=export, actor=Actor(admin_user))
    target = io.BytesIO()
    rows = writers.write_audited(started, target, building)

    assert rows == 2
    assert len(load_workbook(target)["Visits"]["A"]) == 3
    modes = seen[-1]
    (workspace,) = [name for name in modes if name.count("/") == 1]
    # XlsxWriter's row files (constant-memory mode), in the workspace and owner-only
    lock = f"{workspace}/.lock"
    row_files = [name for name in modes if name.startswith(f"{workspace}/") and name != lock]
    assert row_files
    assert modes == {
        "export-tmp": 0o700,
        workspace: 0o700,
        lock: 0o600,
        **dict.fromkeys(row_files, 0o600),
    }
    assert left_in(export_tmp) == []
    assert closing_row(AuditAction.EXPORT_COMPLETE).detail["rows_written"] == 2


@pytest.mark.django_db
def test_export_command_builds_its_workbook_in_the_folder(admin_user, export_tmp, tmp_path):
    VisitFactory.create_batch(2)
    output = tmp_path / "visits.xlsx"

    call_command(
        "export_visits",
        "--user",
        admin_user.username,
        "--format",
        "xlsx",
        "--output",
        str(output),
        stderr=io.StringIO(),
    )

    assert len(load_workbook(output)["Visits"]["A"]) == 3
    assert stat.S_IMODE(export_tmp.stat().st_mode) == 0o700  # it was made, and used
    assert left_in(export_tmp) == []
    assert closing_row(AuditAction.EXPORT_COMPLETE).detail["rows_written"] == 2


def _process_env(export_tmp: Path) -> dict[str, str]:
    """The environment of a new process of the app on the test database, as the app's role."""
    database = django_settings.DATABASES["default"]
    socket_dir = quote(database["HOST"], safe="")
    return {
        **{key: value for key, value in os.environ.items() if key != "MIGRATE_DATABASE_URL"},
        "DATABASE_URL": f"postgresql://{database['USER']}@{socket_dir}/{database['NAME']}",
        "EXPORT_TMP_DIR": str(export_tmp),
    }


def _start_a_process(export_tmp: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_process_env(export_tmp),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.django_db
def test_process_start_removes_what_dead_exports_left_and_keeps_live_ones(export_tmp):
    with tmpfiles.workspace() as live:  # another worker's export, under way
        (live / "sheet-Visits.xml").write_text("<row/>")
        stale = export_tmp / "export-of-a-killed-worker"
        stale.mkdir(mode=0o700)
        (stale / tmpfiles.LOCK).touch()  # nobody holds it locked
        (stale / "sheet-Visits.xml").write_text("<row>patient data</row>")
        old_stray = export_tmp / "tmp-old"
        old_stray.write_text("left by an older version")
        an_hour_ago = timezone.now().timestamp() - 3600
        os.utime(old_stray, (an_hour_ago, an_hour_ago))
        being_made = export_tmp / "export-being-made"  # no lock file yet: too new to judge
        being_made.mkdir()

        _start_a_process(export_tmp)

        assert left_in(export_tmp) == sorted(
            [live.name, f"{live.name}/.lock", f"{live.name}/sheet-Visits.xml", being_made.name]
        )
    assert left_in(export_tmp) == [being_made.name]


@pytest.mark.django_db(transaction=True)
def test_the_next_process_removes_the_workbook_of_an_export_killed_while_it_was_sent(
    export_tmp, settings
):
    settings.DEBUG = True  # generate_visits refuses otherwise
    call_command("generate_visits", visits=300, seed=3, stdout=io.StringIO())
    make_user("ad_admin", ADMIN)
    # A pipe we never read, as small as Linux allows: the command blocks in the middle of
    # sending the workbook, its row files still on disk, until it is killed.
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    command = [sys.executable, "manage.py", "export_visits", "--user", "ad_admin"]
    command += ["--format", "xlsx", "--output", "-", "--from", "2000-01-01"]
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=_process_env(export_tmp),
        stdout=write_end,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        assert select.select([read_end], [], [], 120)[0], "the workbook never started"
        # XlsxWriter's row file of the Visits sheet (constant-memory mode), the largest there;
        # its packager makes and removes small part files meanwhile, so a file listed may be gone
        sheet = max(_sizes(export_tmp.glob("export-*/tmp*")).items(), key=lambda item: item[1])[0]
        assert sheet.stat().st_size > 100_000  # 300 visits' rows
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        worker.kill()
        os.close(read_end)
    assert sheet.exists()  # what used to stay in /tmp, now in the app's own folder

    _start_a_process(export_tmp)

    assert left_in(export_tmp) == []
    # its audit: the export row, and no closing one (docs/exports.md "Audit")
    assert Audit.objects.filter(action=AuditAction.EXPORT).count() == 1
    assert not Audit.objects.filter(
        action__in=[AuditAction.EXPORT_COMPLETE, AuditAction.EXPORT_INCOMPLETE]
    ).exists()
