"""An admin narrows the visits, sees the count change, and downloads with visible progress."""

import csv
import datetime as dt
import io
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TEST_PASSWORD, make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.factories import VisitFactory


def _visits() -> None:
    first, second = make_user("clin_first", "clinician"), make_user("clin_second", "clinician")
    for days in (2, 4, 6):
        VisitFactory(clinician=first, visit_at=timezone.now() - dt.timedelta(days=days))
    VisitFactory(clinician=second, visit_at=timezone.now() - dt.timedelta(days=3))


def test_admin_downloads_csv_with_progress_when_the_count_is_narrowed(page: Page, sign_in):
    _visits()
    make_user("export_admin", "admin")
    sign_in("export_admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Export visits")).to_be_visible()
    expect(page.get_by_text("4 visits match")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_label("Clinician").select_option(label="clin_first")
    expect(page.get_by_text("3 visits match")).to_be_visible()  # counted again, no reload

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    expect(page.get_by_text("Downloaded 3 of 3 visits")).to_be_visible()
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert [row["clinician"] for row in rows] == ["clin_first"] * 3
    assert_no_serious_axe_violations(page)


def test_admin_downloads_a_workbook_with_progress_when_excel_is_chosen(
    page: Page, sign_in, live_server
):
    _visits()
    make_user("export_admin", "admin")
    sign_in("export_admin")
    page.goto(f"{live_server.url}/exports/")
    page.get_by_label("Excel (XLSX)").check()
    page.get_by_label("De-identified").check()
    expect(page.get_by_role("link", name="Download Excel (XLSX)")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    download = info.value
    expect(page.get_by_text("Downloaded")).to_be_visible()
    assert download.suggested_filename.endswith("-deidentified.xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    header = [cell.value for cell in book["Visits"][1]]
    assert "patient_pseudonym" in header
    assert "mrn" not in header
    assert book["Visits"].max_row == 5


def test_download_works_without_javascript_when_scripts_are_off(browser: Browser, live_server):
    _visits()
    make_user("plain_admin", "admin")
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("plain_admin")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/exports/")
    page.get_by_label("Clinician").select_option(label="clin_second")
    page.get_by_role("button", name="Count", exact=True).click()
    expect(page.get_by_text("1 visit matches")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert [row["clinician"] for row in rows] == ["clin_second"]
    context.close()
