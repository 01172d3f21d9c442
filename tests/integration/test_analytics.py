"""The analytics page on real Postgres: cohorts made with the importer, numbers checked by hand."""

import datetime as dt
import itertools
import math
import random
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.filters import Filters
from analytics.report import compute_report
from audit.models import Audit, AuditAction
from audit.services import Actor
from review.services import resolve_flag
from screening.importing.checking import validate_rows
from screening.importing.rows import RawRow
from screening.models import FlagKind, FlagOutcome, FlagStatus, Visit
from screening.services.imports import import_visits
from screening.study import FIGURES
from tests.conftest import make_user
from tests.factories import FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

URL = reverse("analytics:analytics")
NO_DEPRESSION = {"da_sad_2wk": "no", "an_lost_interest_2wk": "no"}
DEPRESSION = {
    "da_sad_2wk": "yes",
    "da_duration": "most_of_the_day",
    "da_frequency": "every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": True,
    "da_sleep_trouble": False,
    "da_concentration": True,
    "da_worthless": False,
    "da_death_thoughts": False,
}


def answers(*, back_pain: bool, depression: bool) -> dict[str, Any]:
    backache = "several_times_a_week" if back_pain else "once_a_month"
    return {"backache_freq_30d": backache} | (DEPRESSION if depression else NO_DEPRESSION)


def visit_row(
    mrn: str, when: dt.datetime, *, back_pain: bool, depression: bool, born: str = "1970-01-01"
) -> dict[str, Any]:
    return {
        "mrn": mrn,
        "given_name": "Test",
        "family_name": f"Patient {mrn}",
        "date_of_birth": born,
        "sex": "female" if int(mrn[1:]) % 2 else "male",
        "education": "some_college",
        "visit_at": when.isoformat(),
        **answers(back_pain=back_pain, depression=depression),
    }


def import_cohort(rows: list[dict[str, Any]], user: Any) -> None:
    """Rows through the importer's own validation and single-transaction write."""
    raw = [RawRow(index + 2, row) for index, row in enumerate(rows)]
    valid, errors = validate_rows(raw, default_clinician=user)
    assert errors == []
    import_visits(rows=valid, actor=Actor(user=user), source="test")


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def study_cohort(size: int, seed: int) -> list[dict[str, Any]]:
    """Patients with back pain 25% of the time and depression at the study's rates."""
    rng = random.Random(seed)  # noqa: S311 (synthetic test data, not secrets)
    rows = []
    for i in range(size):
        back_pain = rng.random() < 0.25
        rate = FIGURES["depression_given_back_pain"].value / 100
        if not back_pain:
            rate = FIGURES["depression_given_no_back_pain"].value / 100
        depression = rng.random() < rate
        when = days_ago(rng.uniform(1, 300))
        rows.append(visit_row(f"P{i:05d}", when, back_pain=back_pain, depression=depression))
    return rows


def test_anonymous_people_are_sent_to_sign_in_when_they_open_analytics(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("who", ["clinician", "reviewer"])
def test_analytics_is_forbidden_when_the_user_is_not_an_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_empty_state_is_shown_when_no_visits_exist(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "No screening visits match these filters yet" in response.text
    assert "Small cells are suppressed" in response.text


def test_synthetic_cohort_with_the_study_rates_is_recovered_within_its_intervals(clinician):
    import_cohort(study_cohort(2400, seed=7), clinician)

    report = compute_report(Filters())

    assert report.patients == 2400
    by_key = {row.figure.key: row.share.interval for row in report.prevalences}
    assert by_key["depression_given_back_pain"].contains(0.174)
    assert by_key["depression_given_no_back_pain"].contains(0.105)
    true_or = (0.174 / 0.826) / (0.105 / 0.895)
    assert report.odds.crude.contains(true_or)
    assert report.odds.adjusted.contains(true_or)
    assert report.odds.replicates == 200


def test_crude_or_equals_the_two_by_two_table_or_when_computed_from_visits(clinician):
    import_cohort(study_cohort(900, seed=11), clinician)
    current = Visit.objects.filter(amendments__isnull=True)
    a = current.filter(back_pain=True, major_depression=True).count()
    b = current.filter(back_pain=True, major_depression=False).count()
    c = current.filter(back_pain=False, major_depression=True).count()
    d = current.filter(back_pain=False, major_depression=False).count()

    report = compute_report(Filters())

    assert report.table == (a, b, c, d)
    assert report.odds.crude.value == pytest.approx(a * d / (b * c))


def test_adjusted_or_moves_toward_one_when_age_drives_both_conditions(clinician):
    rng = random.Random(3)  # noqa: S311 (synthetic test data, not secrets)
    rows = []
    for i in range(2000):
        old = i % 2 == 0
        # within each age group the two conditions are independent
        back_pain = rng.random() < (0.6 if old else 0.15)
        depression = rng.random() < (0.3 if old else 0.06)
        born = "1945-06-01" if old else "1995-06-01"
        rows.append(
            visit_row(
                f"C{i:05d}", days_ago(10), back_pain=back_pain, depression=depression, born=born
            )
        )
    import_cohort(rows, clinician)

    odds = compute_report(Filters()).odds

    assert odds.crude.low > 1
    assert abs(math.log(odds.adjusted.value)) < abs(math.log(odds.crude.value)) / 2
    assert odds.adjusted.contains(1.0)


def test_prevalence_ratios_match_a_hand_count_when_patients_are_followed_up(clinician):
    rows: list[dict[str, Any]] = []
    start = days_ago(400)
    later = start + dt.timedelta(days=200)
    groups = [
        # (count, baseline (back pain, depression), follow-up (back pain, depression))
        (20, (True, False), (True, True)),
        (20, (True, False), (True, False)),
        (16, (False, False), (False, True)),
        (12, (False, False), (True, False)),
        (52, (False, False), (False, False)),
        (15, (False, True), (True, True)),
        (15, (False, True), (False, True)),
    ]
    n = 0
    for count, (bp0, dep0), (bp1, dep1) in groups:
        for _ in range(count):
            mrn = f"L{n:05d}"
            rows.append(visit_row(mrn, start, back_pain=bp0, depression=dep0))
            rows.append(visit_row(mrn, later, back_pain=bp1, depression=dep1))
            n += 1
    for i in range(15):  # seen again after 3 months only: not followed up
        mrn = f"S{i:05d}"
        rows.append(visit_row(mrn, start, back_pain=True, depression=False))
        rows.append(visit_row(mrn, start + dt.timedelta(days=90), back_pain=True, depression=True))
    import_cohort(rows, clinician)

    report = compute_report(Filters())

    assert report.followed == 150
    new_depression, new_back_pain = report.ratios
    assert (new_depression.exposed.k, new_depression.exposed.n) == (20, 40)
    assert (new_depression.unexposed.k, new_depression.unexposed.n) == (16, 80)
    assert new_depression.estimate.value == pytest.approx(2.5)
    assert new_back_pain.estimate.value == pytest.approx((15 / 30) / (12 / 80))
    assert new_depression.figure.value == 1.96
    assert new_back_pain.figure.value == 1.48


def test_page_shows_the_clinic_beside_the_study_with_sources_when_visits_exist(
    client, admin_user, clinician
):
    import_cohort(study_cohort(600, seed=5), clinician)
    client.force_login(admin_user)

    response = client.get(URL)

    text = response.text
    assert response.status_code == 200
    assert "600</strong> patients screened" in text
    for key in (
        "depression_given_back_pain",
        "depression_given_no_back_pain",
        "back_pain_given_depression",
        "back_pain_given_no_depression",
    ):
        assert FIGURES[key].label in text
        assert FIGURES[key].text() in text
    assert "lay summary of Yang et al. 2023 (unverified)" in text
    assert "four conditional percentages come from a lay summary" in text
    assert "PR 1.96 (95% CI 1.41\u20132.74)" in text
    assert "Adjusted odds ratio" in text
    assert 'role="img"' in text
    assert '<title id="prevalence-chart-title">' in text
    assert "style=" not in text


def test_statistical_methods_sit_in_how_these_are_computed_linking_the_docs(
    client, admin_user, clinician
):
    import_cohort(study_cohort(600, seed=5), clinician)
    client.force_login(admin_user)

    text = client.get(URL).text

    before, methods = text.split('<details class="mb-5" data-testid="methods">', 1)
    methods = methods.split("</details>", 1)[0]
    assert "<summary" in methods
    assert "How these are computed" in methods
    for word in ("Woolf", "Katz", "scikit-learn", "CRITERIA.md", "Wilson"):
        assert word in methods
        assert word not in before  # the sections above speak plainly
    link = reverse("analytics:methods")
    assert f'<a href="{link}"><code>docs/analytics.md</code></a>' in methods
    doc = client.get(link)
    assert doc.status_code == 200
    assert doc["Content-Type"] == "text/plain; charset=utf-8"
    assert doc.content.decode().startswith("#")


def test_small_cells_are_suppressed_when_fewer_than_11_patients_fall_in_them(
    client, admin_user, clinician
):
    rows = [
        visit_row(f"X{i:05d}", days_ago(5), back_pain=i < 4, depression=i < 2) for i in range(30)
    ]
    import_cohort(rows, clinician)
    client.force_login(admin_user)

    text = client.get(URL).text

    assert "Suppressed: at least one cell of the 2&times;2 table has fewer than 11 patients" in text
    assert "every cell is suppressed" in text
    assert "fewer than 11" in text
    table = text[text.index('data-testid="two-by-two"') :]
    table = table[: table.index("</table>")]
    assert re.search(r">\d+<", table) is None  # the two comorbid patients are never counted


def test_a_new_visit_changes_the_page_when_the_report_was_cached(client, admin_user, clinician):
    import_cohort(study_cohort(40, seed=1), clinician)
    client.force_login(admin_user)
    first = client.get(URL).text
    second = client.get(URL).text
    assert "40</strong> patients screened" in first
    assert "shown from the cache" in second

    VisitFactory(answers=answers(back_pain=True, depression=False))
    third = client.get(URL).text

    assert "41</strong> patients screened" in third
    assert "shown from the cache" not in third


def test_a_resolved_flag_changes_the_flag_yield_when_the_report_was_cached(
    client, admin_user, reviewer
):
    flags = [FlagFactory(kind=FlagKind.ASSESS_DEPRESSION) for _ in range(12)]
    client.force_login(admin_user)
    client.get(URL)
    assert "shown from the cache" in client.get(URL).text

    resolve_flag(
        flag_id=flags[0].pk,
        actor=Actor(user=reviewer),
        outcome=FlagOutcome.CONFIRMED_REFERRED,
        note="PHQ-9 done; referred",
    )
    text = client.get(URL).text

    assert "shown from the cache" not in text
    flags_table = text[text.index('data-testid="flags-table"') :]
    assert "<td>11</td>" in flags_table  # still open: twelve less the one resolved


def test_flag_yield_counts_confirmed_outcomes_and_waits_when_flags_are_resolved(admin_user):
    opened = days_ago(60)
    outcomes = [FlagOutcome.CONFIRMED_REFERRED] * 8 + [FlagOutcome.CONFIRMED_MANAGED] * 7
    outcomes += [FlagOutcome.NOT_PRESENT] * 15
    for day, outcome in enumerate(outcomes, start=1):
        FlagFactory(
            kind=FlagKind.ASSESS_BACK_PAIN,
            opened_at=opened,
            status=FlagStatus.RESOLVED,
            outcome=outcome,
            resolved_at=opened + dt.timedelta(days=day),
        )
    FlagFactory(kind=FlagKind.ASSESS_BACK_PAIN, opened_at=opened)

    rows = {row.kind: row for row in compute_report(Filters()).flags}

    back_pain = rows[FlagKind.ASSESS_BACK_PAIN]
    assert (back_pain.raised, back_pain.resolved, back_pain.unresolved) == (31, 30, 1)
    assert (back_pain.confirmed.k, back_pain.confirmed.n) == (15, 30)
    assert back_pain.median_days == pytest.approx(15.5)
    assert back_pain.p90_days == pytest.approx(27.1)
    assert rows[FlagKind.SAFETY].confirmed is None


def test_filters_narrow_the_report_to_a_clinician_and_a_date_range(client, admin_user, clinician):
    other = make_user("dr_other", "clinician")
    import_cohort(
        [visit_row(f"F{i:05d}", days_ago(3), back_pain=False, depression=False) for i in range(15)],
        clinician,
    )
    import_cohort(
        [
            visit_row(f"G{i:05d}", days_ago(100), back_pain=False, depression=False)
            for i in range(25)
        ],
        other,
    )
    client.force_login(admin_user)

    by_clinician = client.get(URL, {"clinician": other.pk}).text
    recent = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    by_date = client.get(URL, {"date_from": recent}).text

    assert "25</strong> patients screened" in by_clinician
    assert "15</strong> patients screened" in by_date
    assert compute_report(Filters(clinician_id=clinician.pk)).patients == 15


def test_filter_errors_are_named_when_the_end_date_is_before_the_start(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL, {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.text
    assert "Correct the filters above" in response.text


def test_amended_visits_count_once_by_their_correction_when_a_visit_was_amended(clinician):
    patient = PatientFactory()
    original = VisitFactory(patient=patient, answers=answers(back_pain=True, depression=False))
    VisitFactory(
        patient=patient,
        amends=original,
        visit_at=original.visit_at - dt.timedelta(days=1),
        answers=answers(back_pain=False, depression=False),
    )

    report = compute_report(Filters())

    assert report.patients == 1
    assert report.table == (0, 0, 0, 1)


def test_every_view_is_audited_without_patient_details(client, admin_user):
    client.force_login(admin_user)
    client.get(URL, {"date_from": "2025-01-01"})
    audit = Audit.objects.get(action=AuditAction.ANALYTICS_VIEW)
    assert audit.detail["date_from"] == "2025-01-01"
    assert audit.username == admin_user.username


def test_screening_volume_lists_each_month_when_visits_span_months(client, admin_user, clinician):
    rows = [
        visit_row(f"V{i:05d}", days_ago(1 + (i % 3) * 31), back_pain=False, depression=False)
        for i in range(36)
    ]
    import_cohort(rows, clinician)
    months = compute_report(Filters()).months
    assert sum(month.visits for month in months) == 36
    assert len(months) >= 3


class _MovedSinceCached:
    """Stands for a class a report held when an older release cached it."""


def test_a_report_cached_by_an_older_release_is_computed_again(
    client, admin_user, clinician, monkeypatch
):
    import sys

    from django.core.cache import cache

    from analytics.selectors import data_version
    from analytics.services import cache_key

    import_cohort(study_cohort(40, seed=1), clinician)
    cache.set(cache_key(Filters(), data_version()), _MovedSinceCached())
    monkeypatch.delattr(sys.modules[__name__], "_MovedSinceCached")
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert "40</strong> patients screened" in response.text
    assert "shown from the cache" not in response.text


def test_volume_chart_month_labels_stand_apart_when_three_years_are_shown(
    client, admin_user, clinician
):
    rows = [
        visit_row(f"V{n:05d}", days_ago(n), back_pain=n % 3 == 0, depression=n % 7 == 0)
        for n in range(1, 3 * 365, 2)
    ]
    import_cohort(rows, clinician)
    client.force_login(admin_user)

    text = client.get(URL).text

    chart = text.split('id="volume-chart-title"', 1)[1].split("</svg>", 1)[0]
    labels = re.findall(
        r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">(\w{3} \d{4})<', chart
    )
    assert len(labels) >= 4
    xs = [float(x) for x, _ in labels]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert min(gaps) >= len("Mmm YYYY") * 7  # a label is about 7 units a character wide
