"""An admin's export too large to stream is prepared in the background: the page offers it,
the job page follows the worker's progress by itself, then offers the file."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.e2e.test_exports_flow import _visits
from tests.integration.test_export_jobs import run_worker


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.EXPORT_JOB_THRESHOLD_ROWS = 2
    settings.EXPORT_JOB_THRESHOLD_ROWS_BUILT = 2
    settings.EXPORT_JOB_DIR = tmp_path / "export-jobs"


def test_admin_gets_a_background_job_and_its_file_when_the_export_is_large(
    page: Page, sign_in, live_server
):
    _visits()
    make_user("job_admin", "admin")
    sign_in("job_admin")
    page.goto(f"{live_server.url}/exports/")
    expect(page.get_by_text("4 visits match")).to_be_visible()
    expect(page.get_by_role("link", name="Download CSV")).to_be_hidden()
    page.get_by_label("Excel (XLSX)").check()  # the script carries the new choice into the job
    page.get_by_role("button", name="Prepare Excel (XLSX) in the background").click()

    expect(page.get_by_role("heading", name="Background export")).to_be_visible()
    expect(page.get_by_text("Status: Queued")).to_be_visible()
    assert_no_serious_axe_violations(page)
    run_worker()
    # the page's script sees the job finish and reloads with the link
    expect(page.get_by_role("link", name="Download Excel (XLSX)")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("4 of 4 visits written.")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    assert Path(info.value.path()).read_bytes()[:2] == b"PK"


def test_exports_page_lists_a_finished_csv_job(page: Page, sign_in, live_server):
    _visits()
    make_user("job_admin", "admin")
    sign_in("job_admin")
    page.goto(f"{live_server.url}/exports/")
    page.get_by_role("button", name="Prepare CSV in the background").click()
    run_worker()
    page.goto(f"{live_server.url}/exports/")
    expect(page.get_by_role("cell", name="Ready to download")).to_be_visible()
    page.get_by_role("table").get_by_role("link").first.click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert len(rows) == 4
