"""The case page and its actions: claim, release, take over, note, resolve, dismiss, reopen."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from screening.models import Flag, FlagEvent, FlagKind, FlagOutcome, FlagPriority, FlagStatus
from tests.conftest import make_user
from tests.factories import FlagFactory, VisitFactory

pytestmark = pytest.mark.django_db

BACK_PAIN_AND_DEPRESSION = {
    "backache_freq_30d": "almost_every_day",
    "da_sad_2wk": "yes",
    "da_duration": "all_day_long",
    "da_frequency": "every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": True,
    "da_sleep_trouble": True,
    "da_sleep_frequency": "every_night",
    "da_concentration": False,
    "da_worthless": False,
    "da_death_thoughts": False,
}


def case_url(flag: Flag, action: str = "") -> str:
    if action:
        return reverse(f"review:flag_{action}", args=[flag.pk])
    return reverse("review:flag", args=[flag.pk])


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def events(flag: Flag) -> list[str]:
    return list(FlagEvent.objects.filter(flag=flag).values_list("action", flat=True))


@pytest.fixture
def colleague(db):
    user = make_user("colleague", "reviewer")
    user.first_name, user.last_name = "Casey", "Colleague"
    user.save()
    return user


@pytest.fixture
def signed_in(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def resolved_flag(colleague):
    return FlagFactory(
        status=FlagStatus.RESOLVED,
        assignee=colleague,
        outcome=FlagOutcome.NOT_PRESENT,
        resolution_note="PHQ-9 of 3",
        resolved_at=timezone.now(),
        resolved_by=colleague,
    )


def test_case_page_shows_patient_visit_answers_reasons_and_later_visits_when_opened(signed_in):
    visit = VisitFactory(
        answers=BACK_PAIN_AND_DEPRESSION, visit_at=timezone.now() - dt.timedelta(days=9)
    )
    flag = FlagFactory(visit=visit, reason="back pain almost every day in the past 30 days")
    later = VisitFactory(patient=visit.patient)
    FlagFactory()  # another patient's visit must not show

    response = signed_in.get(case_url(flag))
    page = response.content.decode()

    assert response.status_code == 200
    assert flag.patient.mrn in page
    assert f"{flag.patient.family_name}, {flag.patient.given_name}" in page
    assert "Back pain almost every day in the past 30 days." in page  # the flag's reason
    assert "How long did these feelings usually last?" in page  # an answer as asked
    assert "Meets the major-depression criterion" in page  # criteria.explain
    assert reverse("screening:visit", args=[later.pk]) in page
    assert page.count('href="/visits/') == 2  # the raising visit and the one later visit


def test_viewing_a_case_is_audited_without_phi_when_opened(signed_in, reviewer):
    flag = FlagFactory()
    signed_in.get(case_url(flag))
    audit = Audit.objects.get(action=AuditAction.FLAG_VIEW)
    assert (audit.actor, audit.patient_id, audit.object_id) == (
        reviewer,
        flag.patient_id,
        str(flag.pk),
    )
    assert audit.detail == {"flag": flag.pk}


def test_case_page_query_count_is_the_same_when_the_history_grows(signed_in, reviewer):
    flag = FlagFactory()
    FlagEvent.objects.create(flag=flag, actor=reviewer, action="noted", note="first")
    signed_in.get(case_url(flag))  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as short:
        signed_in.get(case_url(flag))
    for i in range(20):
        FlagEvent.objects.create(flag=flag, actor=make_user(f"r{i}", "reviewer"), action="noted")
        VisitFactory(patient=flag.patient)
    with CaptureQueriesContext(connection) as long:
        signed_in.get(case_url(flag))
    assert len(long.captured_queries) == len(short.captured_queries)


def test_unknown_case_gets_404_when_opened(signed_in):
    assert signed_in.get(reverse("review:flag", args=[999999])).status_code == 404


def test_claim_assigns_the_case_and_records_event_and_audit_when_open(signed_in, reviewer):
    flag = FlagFactory()
    response = signed_in.post(case_url(flag, "claim"))

    assert response.status_code == 302
    assert response["Location"] == case_url(flag)
    flag.refresh_from_db()
    assert (flag.status, flag.assignee) == (FlagStatus.IN_REVIEW, reviewer)
    assert events(flag) == ["claimed"]
    audit = Audit.objects.get(action=AuditAction.FLAG_ACTION)
    assert audit.detail == {"action": "claimed", "flag": flag.pk}
    assert audit.patient_id == flag.patient_id
    page = signed_in.get(case_url(flag)).content.decode()
    assert "You have claimed this case." in page
    assert "<strong>Claimed</strong>\n      by rev_reviewer" in page


def test_claim_is_refused_naming_the_holder_when_a_colleague_has_it(signed_in, colleague):
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=colleague)
    response = signed_in.post(case_url(flag, "claim"), follow=True)

    assert (
        "Casey Colleague (colleague) has this case; ask them to release it, or take it over."
        in shown(response)
    )
    flag.refresh_from_db()
    assert flag.assignee == colleague
    assert events(flag) == []
    assert not Audit.objects.filter(action=AuditAction.FLAG_ACTION).exists()


def test_release_reopens_the_case_for_anyone_when_the_holder_releases(signed_in, reviewer):
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=reviewer)
    signed_in.post(case_url(flag, "release"))
    flag.refresh_from_db()
    assert (flag.status, flag.assignee) == (FlagStatus.OPEN, None)
    assert events(flag) == ["released"]


def test_release_is_refused_when_someone_else_holds_the_case(signed_in, colleague):
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=colleague)
    response = signed_in.post(case_url(flag, "release"), follow=True)
    assert (
        "Casey Colleague (colleague) has this case; ask them to release it, or take it over."
        in shown(response)
    )
    flag.refresh_from_db()
    assert flag.assignee == colleague


def test_take_over_passes_the_case_with_its_reason_when_a_colleague_holds_it(
    signed_in, reviewer, colleague
):
    flag = FlagFactory(kind=FlagKind.SAFETY, status=FlagStatus.IN_REVIEW, assignee=colleague)

    response = signed_in.post(
        case_url(flag, "take_over"), {"take_over-reason": "Casey is off sick today"}, follow=True
    )

    flag.refresh_from_db()
    assert (flag.status, flag.assignee) == (FlagStatus.IN_REVIEW, reviewer)
    event = FlagEvent.objects.get(flag=flag)
    assert (event.action, event.actor) == ("taken_over", reviewer)
    assert event.note == "Taken over from Casey Colleague (colleague): Casey is off sick today"
    audit = Audit.objects.get(action=AuditAction.FLAG_ACTION)
    # who held it, by id; the reason stays in the case history
    assert audit.detail == {"action": "taken_over", "flag": flag.pk, "taken_from": colleague.pk}
    page = response.content.decode()
    assert "You have taken over this case" in page
    assert "Taken over from Casey Colleague (colleague): Casey is off sick today" in page
    assert 'id="resolve-form"' in page  # now theirs to close


def test_take_over_needs_a_reason_and_changes_nothing_without_one(signed_in, colleague):
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=colleague)

    response = signed_in.post(case_url(flag, "take_over"), {"take_over-reason": "  "})

    assert response.status_code == 200
    assert "Enter the reason for taking over this case." in response.content.decode()
    flag.refresh_from_db()
    assert flag.assignee == colleague
    assert events(flag) == []


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("open", "Nobody holds this case; claim it instead."),
        ("mine", "You already have this case."),
        ("resolved", "This case was already resolved by Casey Colleague (colleague)"),
    ],
)
def test_take_over_is_refused_when_no_colleague_holds_the_case(
    signed_in, reviewer, resolved_flag, state, message
):
    flag = {
        "open": lambda: FlagFactory(),
        "mine": lambda: FlagFactory(status=FlagStatus.IN_REVIEW, assignee=reviewer),
        "resolved": lambda: resolved_flag,
    }[state]()
    before = (flag.status, flag.assignee_id)

    response = signed_in.post(
        case_url(flag, "take_over"), {"take_over-reason": "covering"}, follow=True
    )

    assert any(text.startswith(message) for text in shown(response))
    flag.refresh_from_db()
    assert (flag.status, flag.assignee_id) == before
    assert events(flag) == []


def test_case_page_offers_take_over_only_when_a_colleague_holds_the_case(
    signed_in, reviewer, colleague
):
    held = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=colleague)
    mine = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=reviewer)
    unclaimed = FlagFactory()

    assert 'id="take_over-form"' in signed_in.get(case_url(held)).content.decode()
    assert 'id="take_over-form"' not in signed_in.get(case_url(mine)).content.decode()
    assert 'id="take_over-form"' not in signed_in.get(case_url(unclaimed)).content.decode()


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


def test_reviewer_sees_only_note_and_take_over_when_a_colleague_has_the_case(signed_in, colleague):
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=colleague)
    page = signed_in.get(case_url(flag)).content.decode()
    assert "Casey Colleague has this case. You can add a note, or take the case over" in page
    assert 'value="Claim this case"' not in page
    assert 'value="Resolve"' not in page
    assert 'value="Add note"' in page
    assert 'value="Take over this case"' in page


def test_clinician_gets_403_when_posting_an_action(client, clinician):
    flag = FlagFactory()
    client.force_login(clinician)
    assert client.post(case_url(flag, "claim")).status_code == 403
    assert client.get(case_url(flag)).status_code == 403
    assert events(flag) == []


def test_action_urls_refuse_get_when_opened_directly(signed_in):
    flag = FlagFactory()
    assert signed_in.get(case_url(flag, "claim")).status_code == 405


def test_action_without_csrf_token_is_refused_when_posted(reviewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    flag = FlagFactory()
    assert client.post(case_url(flag, "claim")).status_code == 403
    assert events(flag) == []
