"""From measure to outcome (issue 16, point 4): the case page shows the latest instrument beside
the outcome choice and pre-selects what it suggests; resolving still needs the person's choice and
note, and links the instrument to the outcome in the same transaction."""

import pytest
from django.urls import reverse

from audit.models import Audit, AuditAction
from screening.models import Flag, FlagKind, FlagPriority, FlagStatus, RecordedInstrument
from tests.factories import FlagFactory
from tests.integration.review_cases import case_url
from tests.integration.test_instruments_recording import (
    ASQ_NEGATIVE,
    LBP_CHRONIC,
    PHQ9_12,
    form_data,
    new_url,
)

pytestmark = pytest.mark.django_db

PHQ9_4 = {**{f"phq9_{n}": "0" for n in range(1, 10)}, "phq9_1": "2", "phq9_2": "2"}
PHQ9_4["phq9_difficulty"] = "not_difficult"


def _record(client, flag, instrument, answers):
    response = client.post(new_url(flag.patient, instrument, flag), form_data(answers, flag))
    assert response.status_code == 302, response.content.decode()[:2000]


def _selected(page: str) -> list[str]:
    """The outcomes selected on the page, leaving out the "Choose the outcome" placeholder."""
    return [
        chunk.split('"')[0]
        for chunk in page.split('<option value="')[1:]
        if chunk.split(">")[0].endswith(" selected") and not chunk.startswith('"')
    ]


@pytest.mark.parametrize(
    ("kind", "instrument", "answers", "selected", "summary"),
    [
        ("assess_depression", "phq9", PHQ9_12, "confirmed_referred", "Score 12 of 27 (moderate)"),
        ("assess_depression", "phq9", PHQ9_4, "not_present", "Score 4 of 27 (minimal)"),
        ("assess_back_pain", "lbp_peg", LBP_CHRONIC, "confirmed_referred", "Chronic low back pain"),
        ("safety", "asq", ASQ_NEGATIVE, "safety_assessed", "Negative"),
    ],
)
def test_the_case_page_preselects_the_outcome_the_instrument_suggests(
    client, reviewer, kind, instrument, answers, selected, summary
):
    flag = FlagFactory(kind=kind)
    client.force_login(reviewer)
    _record(client, flag, instrument, answers)

    page = client.get(case_url(flag)).content.decode()

    assert summary in page
    assert "The outcome below is pre-selected from this result" in page
    assert _selected(page) == [selected]


def test_an_unmeasured_case_offers_its_instrument_and_preselects_nothing(client, reviewer):
    flag = FlagFactory(kind=FlagKind.ASSESS_BACK_PAIN)
    client.force_login(reviewer)

    page = client.get(case_url(flag)).content.decode()

    assert "Not measured yet: record the Chronic low back pain and PEG" in page
    assert f"{new_url(flag.patient, 'lbp_peg')}?flag={flag.pk}" in page
    assert _selected(page) == []


def test_a_positive_asq_preselects_no_outcome_on_a_safety_case(client, reviewer):
    flag = FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT)
    client.force_login(reviewer)
    _record(client, flag, "asq", {**ASQ_NEGATIVE, "asq_3": "yes", "asq_5": "no"})

    page = client.get(case_url(flag)).content.decode()

    assert "a positive ASQ never closes a safety case by itself" in page
    assert _selected(page) == []


def test_resolving_still_needs_a_note_and_links_the_latest_instrument(client, reviewer):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(reviewer)
    _record(client, flag, "phq9", PHQ9_4)
    _record(client, flag, "phq9", PHQ9_12)
    latest = RecordedInstrument.objects.get(result__score=12)

    refused = client.post(case_url(flag, "resolve"), {"resolve-outcome": "confirmed_referred"})
    assert refused.status_code == 200
    flag.refresh_from_db()
    assert (flag.status, flag.outcome_instrument_id) == (FlagStatus.OPEN, None)

    client.post(
        case_url(flag, "resolve"),
        {"resolve-outcome": "confirmed_referred", "resolve-note": "PHQ-9 of 12; referred."},
    )

    flag.refresh_from_db()
    assert (flag.status, flag.outcome, flag.outcome_instrument_id) == (
        FlagStatus.RESOLVED,
        "confirmed_referred",
        latest.pk,
    )
    audit = Audit.objects.filter(action=AuditAction.FLAG_ACTION).latest("id")
    assert audit.detail["instrument"] == latest.pk


def test_an_amendment_is_the_instrument_the_outcome_rests_on(client, reviewer):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(reviewer)
    _record(client, flag, "phq9", PHQ9_12)
    original = RecordedInstrument.objects.get()
    client.post(
        reverse("screening:instrument_amend", args=[original.pk]),
        form_data(PHQ9_4, flag, amendment_reason="read the wrong sheet"),
    )

    page = client.get(case_url(flag)).content.decode()
    assert _selected(page) == ["not_present"]
    client.post(
        case_url(flag, "resolve"),
        {"resolve-outcome": "not_present", "resolve-note": "PHQ-9 of 4."},
    )
    flag.refresh_from_db()
    assert flag.outcome_instrument == RecordedInstrument.objects.get(amends=original)


def test_dismissing_or_reopening_leaves_no_instrument_linked(client, reviewer):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(reviewer)
    _record(client, flag, "phq9", PHQ9_12)
    client.post(
        case_url(flag, "resolve"),
        {"resolve-outcome": "confirmed_managed", "resolve-note": "managed here"},
    )
    client.post(case_url(flag, "reopen"), {"reopen-note": "wrong patient"})
    flag.refresh_from_db()
    assert (flag.status, flag.outcome_instrument_id) == (FlagStatus.OPEN, None)

    client.post(case_url(flag, "dismiss"), {"dismiss-reason": "duplicate"})
    flag.refresh_from_db()
    assert (flag.outcome, flag.outcome_instrument_id) == ("dismissed", None)


def test_a_resolved_case_takes_no_new_instrument(client, reviewer):
    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    client.force_login(reviewer)
    client.post(
        case_url(flag, "resolve"), {"resolve-outcome": "declined", "resolve-note": "declined"}
    )

    response = client.post(new_url(flag.patient, "phq9", flag), form_data(PHQ9_12, flag))

    assert "This case is already resolved" in response.content.decode()
    assert not RecordedInstrument.objects.exists()
    assert Flag.objects.get().outcome_instrument_id is None


def test_the_pure_outcome_and_kind_codes_are_the_models_codes():
    from screening import followup
    from screening.models import FlagOutcome

    for code in (followup.CONFIRMED, followup.NOT_PRESENT, followup.SAFETY_ASSESSED):
        assert code in FlagOutcome.values
    assert set(followup.INSTRUMENT_FOR_KIND) == set(FlagKind.values)
