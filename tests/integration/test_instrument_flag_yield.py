"""The analytics page's flag yield splits outcomes that rest on a recorded instrument from the
unmeasured ones (issue 16, point 4): confirmed by PHQ-9 >= 10, by chronic low back pain, and the
ASQ for safety flags, each counted once, with small cells suppressed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.filters import Filters
from analytics.report import compute_report
from screening.models import FlagKind, FlagOutcome, FlagStatus
from tests.factories import FlagFactory, RecordedInstrumentFactory

pytestmark = pytest.mark.django_db

PHQ9 = {f"phq9_{n}": level for n, level in zip(range(1, 10), (2,) * 6 + (0,) * 3, strict=True)}
PHQ9 |= {"phq9_difficulty": "very_difficult"}  # score 12: positive
PHQ9_LOW = {**{f"phq9_{n}": 0 for n in range(1, 10)}, "phq9_difficulty": None}
LBP = {
    "lbp_duration": "gt_5_years",
    "lbp_frequency": "every_day_or_nearly",
    "peg_pain": 7,
    "peg_enjoyment": 6,
    "peg_activity": 6,
}
ASQ = {"asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "no"}


def resolved(kind, outcome, *, instrument=None, answers=None):
    flag = FlagFactory(kind=kind)
    measure = None
    if instrument is not None:
        measure = RecordedInstrumentFactory(
            patient=flag.patient, flag=flag, instrument=instrument, answers=answers
        )
    flag.status, flag.outcome, flag.resolved_at = FlagStatus.RESOLVED, outcome, timezone.now()
    flag.outcome_instrument = measure
    flag.save()
    return flag


def test_measured_outcomes_are_counted_apart_from_unmeasured_ones(client, admin_user):
    for _ in range(12):
        resolved(
            FlagKind.ASSESS_DEPRESSION,
            FlagOutcome.CONFIRMED_REFERRED,
            instrument="phq9",
            answers=PHQ9,
        )
    for _ in range(2):  # a PHQ-9 below 10: measured, not confirmed by the measure
        resolved(
            FlagKind.ASSESS_DEPRESSION, FlagOutcome.NOT_PRESENT, instrument="phq9", answers=PHQ9_LOW
        )
    for _ in range(11):
        resolved(FlagKind.ASSESS_DEPRESSION, FlagOutcome.CONFIRMED_MANAGED)
    for _ in range(13):
        resolved(
            FlagKind.ASSESS_BACK_PAIN,
            FlagOutcome.CONFIRMED_MANAGED,
            instrument="lbp_peg",
            answers=LBP,
        )
    for _ in range(11):
        resolved(FlagKind.SAFETY, FlagOutcome.SAFETY_ASSESSED, instrument="asq", answers=ASQ)

    rows = {row.kind: row for row in compute_report(Filters()).flags}

    depression = rows[FlagKind.ASSESS_DEPRESSION]
    assert (depression.resolved, depression.measured) == (25, 14)
    assert (depression.by_measure, depression.confirmed_unmeasured) == (12, 11)
    assert depression.confirmed.k == 23  # the share of confirmed is unchanged by the split
    back_pain = rows[FlagKind.ASSESS_BACK_PAIN]
    assert (back_pain.measured, back_pain.by_measure, back_pain.confirmed_unmeasured) == (13, 13, 0)
    safety = rows[FlagKind.SAFETY]
    assert (safety.measured, safety.by_measure, safety.confirmed_unmeasured) == (11, 11, None)

    client.force_login(admin_user)
    page = client.get(reverse("analytics:analytics")).content.decode()
    table = page[page.index('data-testid="measured-table"') :]
    table = table[: table.index("</table>")]
    assert "Confirmed by PHQ-9 \N{GREATER-THAN OR EQUAL TO} 10: 12" in table
    assert "Confirmed by chronic low back pain: 13" in table
    assert "ASQ positive (acute or non-acute): 11" in table
    assert "<td>not applicable</td>" in table  # no confirmed outcome for safety


def test_small_counts_of_measured_outcomes_are_suppressed(client, admin_user):
    for _ in range(3):
        resolved(
            FlagKind.ASSESS_BACK_PAIN,
            FlagOutcome.CONFIRMED_REFERRED,
            instrument="lbp_peg",
            answers=LBP,
        )
    client.force_login(admin_user)

    page = client.get(reverse("analytics:analytics")).content.decode()

    table = page[page.index('data-testid="measured-table"') :]
    assert "Confirmed by chronic low back pain: 3" not in table[: table.index("</table>")]
