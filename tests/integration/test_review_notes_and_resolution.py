"""Working a case to its end: notes, resolving with an outcome that fits its kind and a note,
dismissing with a reason, and reopening (refused while another case of that kind is open)."""

import pytest

from audit.models import Audit, AuditAction
from screening.models import FlagEvent, FlagKind, FlagOutcome, FlagPriority, FlagStatus
from tests.factories import FlagFactory, VisitFactory
from tests.integration import review_cases
from tests.integration.review_cases import case_url, events, shown

pytestmark = pytest.mark.django_db

# The shared fixtures, bound here for pytest to find (ruff reads a bare import as unused).
colleague = review_cases.colleague  # resolved_flag needs it
signed_in = review_cases.signed_in
resolved_flag = review_cases.resolved_flag


def test_note_joins_the_history_when_entered(signed_in):
    flag = FlagFactory()
    signed_in.post(case_url(flag, "note"), {"note-note": "Called patient; voicemail."})
    event = FlagEvent.objects.get(flag=flag)
    assert (event.action, event.note) == ("noted", "Called patient; voicemail.")
    assert "Called patient; voicemail." in signed_in.get(case_url(flag)).content.decode()


def test_note_is_required_and_nothing_is_written_when_blank(signed_in):
    flag = FlagFactory()
    response = signed_in.post(case_url(flag, "note"), {"note-note": "   "})
    assert response.status_code == 200
    assert "Enter a note." in response.content.decode()
    assert events(flag) == []


def test_resolve_closes_the_case_with_outcome_and_note_when_both_given(signed_in, reviewer):
    flag = FlagFactory()
    signed_in.post(
        case_url(flag, "resolve"),
        {"resolve-outcome": "confirmed_referred", "resolve-note": "PHQ-9 of 17; referred."},
    )
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED
    assert flag.outcome == FlagOutcome.CONFIRMED_REFERRED
    assert flag.resolution_note == "PHQ-9 of 17; referred."
    assert (flag.resolved_by, flag.assignee) == (reviewer, reviewer)
    assert flag.resolved_at is not None
    event = FlagEvent.objects.get(flag=flag)
    assert (event.action, event.outcome) == ("resolved", "confirmed_referred")
    audit = Audit.objects.get(action=AuditAction.FLAG_ACTION)
    assert audit.detail == {"action": "resolved", "flag": flag.pk, "outcome": "confirmed_referred"}


def test_resolve_keeps_the_note_and_names_the_missing_outcome_when_none_chosen(signed_in):
    flag = FlagFactory()
    response = signed_in.post(case_url(flag, "resolve"), {"resolve-note": "Assessed by phone."})
    page = response.content.decode()
    assert "Choose the outcome of the assessment." in page
    assert "Assessed by phone." in page  # the bad submit keeps what was typed
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_resolve_needs_a_note_when_an_outcome_is_chosen(signed_in):
    flag = FlagFactory()
    response = signed_in.post(case_url(flag, "resolve"), {"resolve-outcome": "not_present"})
    assert "Enter a note on the assessment." in response.content.decode()
    assert events(flag) == []


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        (FlagKind.ASSESS_DEPRESSION, FlagOutcome.DISMISSED),
        (FlagKind.ASSESS_DEPRESSION, FlagOutcome.SAFETY_ASSESSED),
        (FlagKind.SAFETY, FlagOutcome.NOT_PRESENT),
    ],
    ids=["dismissed-is-not-an-outcome", "safety-outcome-on-depression", "other-outcome-on-safety"],
)
def test_resolve_is_refused_when_the_outcome_does_not_fit(signed_in, kind, outcome):
    flag = FlagFactory(kind=kind, priority=FlagPriority.URGENT)
    response = signed_in.post(
        case_url(flag, "resolve"), {"resolve-outcome": outcome, "resolve-note": "n"}, follow=True
    )
    assert response.status_code == 200
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    assert events(flag) == []


def test_case_page_offers_only_the_kind_outcomes_when_resolving(signed_in):
    safety = FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT)
    page = signed_in.get(case_url(safety)).content.decode()
    assert "Suicide risk assessed; plan documented" in page
    assert "Other condition assessed and confirmed; referred" not in page
    assert "Dismissed without assessment" not in page


def test_resolve_is_refused_naming_who_closed_it_when_already_resolved(signed_in, resolved_flag):
    response = signed_in.post(
        case_url(resolved_flag, "resolve"),
        {"resolve-outcome": "declined", "resolve-note": "late"},
        follow=True,
    )
    [message] = shown(response)
    assert message.startswith("This case was already resolved by Casey Colleague (colleague) on")
    resolved_flag.refresh_from_db()
    assert resolved_flag.outcome == FlagOutcome.NOT_PRESENT


def test_dismiss_needs_a_reason_and_records_it_when_given(signed_in):
    flag = FlagFactory()
    response = signed_in.post(case_url(flag, "dismiss"), {"dismiss-reason": ""})
    assert "Enter the reason for dismissing without an assessment." in response.content.decode()
    assert events(flag) == []

    signed_in.post(case_url(flag, "dismiss"), {"dismiss-reason": "Duplicate of a chart flag."})
    flag.refresh_from_db()
    assert (flag.status, flag.outcome) == (FlagStatus.RESOLVED, FlagOutcome.DISMISSED)
    assert flag.resolution_note == "Duplicate of a chart flag."
    assert events(flag) == ["dismissed"]


def test_reopen_clears_the_outcome_and_keeps_the_history_when_resolved(signed_in, reviewer):
    flag = FlagFactory()
    signed_in.post(case_url(flag, "claim"))
    signed_in.post(case_url(flag, "resolve"), {"resolve-outcome": "declined", "resolve-note": "No"})
    signed_in.post(case_url(flag, "reopen"), {"reopen-note": "Patient called back."})

    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    assert (flag.outcome, flag.resolved_at, flag.resolved_by, flag.assignee) == (
        None,
        None,
        None,
        None,
    )
    assert flag.resolution_note == ""
    assert events(flag) == ["claimed", "resolved", "reopened"]
    page = signed_in.get(case_url(flag)).content.decode()
    assert "Patient declined assessment" in page  # the resolution stays in the history
    assert "Patient called back." in page


def test_reopen_is_refused_when_the_patient_has_another_unresolved_flag_of_that_kind(
    signed_in, resolved_flag
):
    newer = FlagFactory(visit=VisitFactory(patient=resolved_flag.patient))
    response = signed_in.post(case_url(resolved_flag, "reopen"), follow=True)
    assert (
        f"This patient already has an unresolved assess for depression flag (case #{newer.pk}); "
        "work that case instead of reopening this one." in shown(response)
    )
    resolved_flag.refresh_from_db()
    assert resolved_flag.status == FlagStatus.RESOLVED
    assert events(resolved_flag) == []


def test_reopen_is_refused_when_the_case_is_not_resolved(signed_in):
    flag = FlagFactory()
    response = signed_in.post(case_url(flag, "reopen"), follow=True)
    assert "This case is not resolved, so it cannot be reopened." in shown(response)
