"""An admin reads the analytics page in the browser: charts with their tables, filters, no errors."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.conftest import assert_no_serious_axe_violations
from tests.integration.test_analytics import days_ago, import_cohort, study_cohort, visit_row


def test_admin_sees_the_clinic_beside_the_study_when_visits_were_imported(page: Page, sign_in):
    clinician = make_user("dr_import", "clinician")
    import_cohort(study_cohort(400, seed=2), clinician)
    make_user("chief", "admin")

    sign_in("chief")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()

    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    expect(page.get_by_test_id("analytics-summary")).to_contain_text("400 patients screened")
    expect(
        page.get_by_role("img", name="Prevalence in the clinic beside the study")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Screening visits per month")).to_be_visible()
    prevalence = page.get_by_role("table", name="Conditional prevalences: clinic beside study")
    expect(prevalence.get_by_role("row")).to_have_count(5)
    expect(prevalence).to_contain_text("17.4%")
    expect(page.get_by_test_id("percentages-caution")).to_be_visible()
    expect(page.get_by_test_id("odds-table")).to_contain_text("Adjusted odds ratio")
    expect(page.get_by_test_id("suppression-note")).to_contain_text("fewer than 11")
    assert_no_serious_axe_violations(page)


def test_filters_narrow_the_page_when_an_admin_picks_a_clinician_and_dates(
    page: Page, sign_in, live_server
):
    first = make_user("dr_first", "clinician")
    second = make_user("dr_second", "clinician")
    import_cohort(
        [
            visit_row(f"A{i:05d}", days_ago(2), back_pain=i < 12, depression=False)
            for i in range(30)
        ],
        first,
    )
    import_cohort(
        [
            visit_row(f"B{i:05d}", days_ago(60), back_pain=False, depression=False)
            for i in range(20)
        ],
        second,
    )
    make_user("chief", "admin")
    sign_in("chief")
    page.goto(f"{live_server.url}/analytics/")
    expect(page.get_by_test_id("analytics-summary")).to_contain_text("50 patients screened")

    page.get_by_label("Clinician").select_option(label="dr_second")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("analytics-summary")).to_contain_text("20 patients screened")

    page.get_by_label("Clinician").select_option(label="All clinicians")
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    page.get_by_label("Visits from").fill(since)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("analytics-summary")).to_contain_text("30 patients screened")

    page.get_by_text("Visits per month as a table").press("Enter")
    expect(page.get_by_role("table", name="Current visits per month")).to_be_visible()
    assert_no_serious_axe_violations(page)
