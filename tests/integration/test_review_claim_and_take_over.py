"""Holding a case: claim, release and take over, each refused naming the holder (or the state
of the case) when it does not fit, and the take-over form offered only on a colleague's case."""

import pytest

from audit.models import Audit, AuditAction
from screening.models import FlagEvent, FlagKind, FlagStatus
from tests.factories import FlagFactory
from tests.integration import review_cases
from tests.integration.review_cases import case_url, events, shown

pytestmark = pytest.mark.django_db

# The shared fixtures, bound here for pytest to find (ruff reads a bare import as unused).
colleague = review_cases.colleague
signed_in = review_cases.signed_in
resolved_flag = review_cases.resolved_flag


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
