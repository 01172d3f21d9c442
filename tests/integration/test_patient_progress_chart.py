"""The patient page charts PHQ-9 and PEG over time (issue 16, point 6): response, remission and
meaningful PEG change ring the scores they mark, an amended record is replaced by its amendment,
and a table gives the same figures in words."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import PatientFactory, RecordedInstrumentFactory, peg_answers, phq9_answers

pytestmark = pytest.mark.django_db


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def phq9(patient, total: int, days: int, **extra):
    return RecordedInstrumentFactory(
        patient=patient,
        instrument="phq9",
        answers=phq9_answers(total),
        administered_at=ago(days),
        **extra,
    )


def peg(patient, items: tuple[int, int, int], days: int):
    return RecordedInstrumentFactory(
        patient=patient,
        instrument="lbp_peg",
        answers=peg_answers(*items),
        administered_at=ago(days),
    )


def table_rows(body: str, chart_id: str) -> list[list[str]]:
    """The cells of a progress table, row by row, as a screen reader reads them."""
    table = re.search(rf'data-testid="{chart_id}-table">(.*?)</table>', body, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr data-record-id[^>]*>(.*?)</tr>", table, re.S)
    ]


def figure(body: str, chart_id: str) -> str:
    return re.search(rf'<figure[^>]*data-testid="{chart_id}">(.*?)</figure>', body, re.S).group(1)


@pytest.fixture
def page(client, clinician):
    client.force_login(clinician)

    def _open(patient) -> str:
        response = client.get(patient.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    return _open


def test_phq9_response_and_remission_are_marked_on_the_chart_and_in_the_table(page):
    patient = PatientFactory()
    first = phq9(patient, 16, days=90)
    phq9(patient, 10, days=60)
    phq9(patient, 8, days=30)
    phq9(patient, 4, days=1)

    body = page(patient)

    svg = figure(body, "chart-phq9")
    assert svg.count('class="mark mark-response"') == 2
    assert svg.count('class="mark mark-remission"') == 1
    assert "PHQ-9 over time" in svg
    assert "4 score(s) from" in svg
    day = timezone.localtime(first.administered_at).strftime("%Y-%m-%d")
    assert table_rows(body, "chart-phq9") == [
        [day, "16", "baseline", "None"],
        [timezone.localtime(ago(60)).strftime("%Y-%m-%d"), "10", "-38%", "None"],
        [timezone.localtime(ago(30)).strftime("%Y-%m-%d"), "8", "-50%", "Response"],
        [timezone.localtime(ago(1)).strftime("%Y-%m-%d"), "4", "-75%", "Response, remission"],
    ]


def test_a_peg_change_of_30_percent_is_marked_meaningful_when_charted(page):
    patient = PatientFactory()
    peg(patient, (6, 6, 6), days=60)  # 6.0
    peg(patient, (5, 5, 5), days=30)  # 5.0: -17%
    peg(patient, (4, 4, 5), days=1)  # 4.3: -28%
    peg(patient, (4, 4, 4), days=0)  # 4.0: -33%

    body = page(patient)

    svg = figure(body, "chart-peg")
    assert svg.count('class="mark mark-meaningful-improvement"') == 1
    assert "mark-meaningful-worsening" not in svg
    assert [row[1:] for row in table_rows(body, "chart-peg")] == [
        ["6.0", "baseline", "None"],
        ["5.0", "-17%", "None"],
        ["4.3", "-28%", "None"],
        ["4.0", "-33%", "Meaningful improvement"],
    ]
    assert 'data-testid="chart-phq9"' not in body  # no PHQ-9 recorded: no chart for it


def test_an_amended_record_is_charted_as_its_amendment_when_corrected(page):
    patient = PatientFactory()
    phq9(patient, 20, days=60)
    wrong = phq9(patient, 3, days=30)
    fixed = phq9(patient, 12, days=30, amends=wrong, amendment_reason="item 4 misread")

    body = page(patient)

    rows = table_rows(body, "chart-phq9")
    assert [row[1:] for row in rows] == [["20", "baseline", "None"], ["12", "-40%", "None"]]
    assert f'data-record-id="{wrong.pk}"' not in body
    assert f'data-record-id="{fixed.pk}"' in body
    assert "mark-remission" not in figure(body, "chart-phq9")


def test_another_patients_scores_are_not_charted_when_the_page_is_opened(page):
    patient, other = PatientFactory(), PatientFactory()
    phq9(other, 15, days=5)

    body = page(patient)

    assert 'data-testid="chart-phq9"' not in body
    assert "PHQ-9 over time" not in body
