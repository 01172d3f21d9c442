"""The review queue page: order, filters, counts, overdue marks and stable keyset pagination."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from screening.models import FlagKind, FlagPriority, FlagStatus
from tests.factories import FlagFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def rows(response) -> list[int]:
    """The flag ids in table order, as the page lists them."""
    return [int(pk) for pk in re.findall(r'data-flag-id="(\d+)"', response.content.decode())]


def link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return QUEUE + html.unescape(found.group(1)) if found else None


@pytest.fixture
def signed_in(client, reviewer):
    client.force_login(reviewer)
    return client


def test_safety_flag_is_listed_first_when_older_flags_of_higher_age_wait(signed_in):
    routine = FlagFactory(opened_at=ago(days=10))
    comorbid = FlagFactory(priority=FlagPriority.COMORBID, opened_at=ago(days=5))
    safety = FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT, opened_at=ago(hours=1))
    raised_old = FlagFactory(priority=FlagPriority.RAISED, opened_at=ago(days=9))
    raised_new = FlagFactory(priority=FlagPriority.RAISED, opened_at=ago(days=2))

    response = signed_in.get(QUEUE)

    assert response.status_code == 200
    assert rows(response) == [safety.pk, comorbid.pk, raised_old.pk, raised_new.pk, routine.pk]


def test_queue_shows_patient_name_mrn_kind_and_assignee_when_listed(signed_in, reviewer):
    flag = FlagFactory(
        status=FlagStatus.IN_REVIEW, assignee=reviewer, opened_at=ago(days=3, hours=2)
    )
    page = signed_in.get(QUEUE).content.decode()
    assert "3 days ago" in page
    assert flag.patient.mrn in page
    assert f"{flag.patient.family_name}, {flag.patient.given_name}" in page
    assert "Assess for depression" in page
    assert reviewer.username in page
    assert reverse("review:flag", args=[flag.pk]) in page


def test_clinician_gets_403_when_opening_the_queue(client, clinician):
    client.force_login(clinician)
    assert client.get(QUEUE).status_code == 403


def resolved(reviewer, **kwargs):
    return FlagFactory(
        status=FlagStatus.RESOLVED,
        outcome="not_present",
        resolved_at=timezone.now(),
        resolved_by=reviewer,
        **kwargs,
    )


def test_resolved_flags_are_listed_newest_first_when_chosen(signed_in, reviewer):
    old_urgent = resolved(
        reviewer, priority=FlagPriority.URGENT, kind=FlagKind.SAFETY, opened_at=ago(days=40)
    )
    recent = resolved(reviewer, opened_at=ago(days=2))
    middle = resolved(reviewer, opened_at=ago(days=9))
    response = signed_in.get(QUEUE, {"status": "resolved"})
    assert rows(response) == [recent.pk, middle.pk, old_urgent.pk]
    assert "most recently opened first" in response.content.decode()


def test_resolved_pages_follow_the_newest_first_order_when_paging(signed_in, reviewer):
    ordered = [resolved(reviewer, opened_at=ago(days=i + 1)).pk for i in range(30)]
    page1 = signed_in.get(QUEUE, {"status": "resolved", "size": 25})
    assert rows(page1) == ordered[:25]
    page2 = signed_in.get(link(page1, "next"))
    assert rows(page2) == ordered[25:]
    assert rows(signed_in.get(link(page2, "prev"))) == ordered[:25]


def test_resolved_counts_stop_at_the_cap_when_history_is_long(signed_in, reviewer, monkeypatch):
    from review import selectors

    # the cap is 1,000 in use; a small one shows the same rule without a thousand rows
    monkeypatch.setattr(selectors, "RESOLVED_COUNT_CAP", 2)
    for i in range(3):
        resolved(reviewer, opened_at=ago(days=i + 1))
    resolved(reviewer, opened_at=ago(days=5), kind=FlagKind.ASSESS_BACK_PAIN)
    text = re.sub(r"\s+", " ", signed_in.get(QUEUE, {"status": "resolved"}).content.decode())
    assert 'Assess for depression <span class="badge text-bg-light">2+</span>' in text
    assert 'Assess for back pain <span class="badge text-bg-light">1</span>' in text
    assert 'All kinds <span class="badge text-bg-light">3+</span>' in text
    assert "of more than 3," in text


def test_resolved_flags_are_hidden_when_no_status_filter_is_chosen(signed_in, reviewer):
    open_flag = FlagFactory()
    closed = resolved(reviewer)
    assert rows(signed_in.get(QUEUE)) == [open_flag.pk]
    assert rows(signed_in.get(QUEUE, {"status": "resolved"})) == [closed.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "safety"}, ["safety"]),
        ({"status": "in_review"}, ["mine", "theirs"]),
        ({"status": "open"}, ["safety", "unassigned_old"]),
        ({"assignee": "mine"}, ["mine"]),
        ({"assignee": "unassigned"}, ["safety", "unassigned_old"]),
        ({"opened_to": "DAYS_AGO_20"}, ["unassigned_old"]),
        ({"opened_from": "DAYS_AGO_5"}, ["safety", "mine", "theirs"]),
    ],
    ids=["kind", "in-review", "open", "mine", "unassigned", "opened-to", "opened-from"],
)
def test_queue_lists_only_matching_flags_when_filtered(
    signed_in, reviewer, make_flags, params, expected
):
    flags = make_flags()
    for key, value in params.items():
        if value.startswith("DAYS_AGO_"):
            params[key] = (timezone.localdate() - dt.timedelta(days=int(value[9:]))).isoformat()
    assert rows(signed_in.get(QUEUE, params)) == [flags[name].pk for name in expected]


@pytest.fixture
def make_flags(reviewer):
    from tests.conftest import make_user

    colleague = make_user("colleague", "reviewer")

    def _make():
        return {
            "safety": FlagFactory(
                kind=FlagKind.SAFETY, priority=FlagPriority.URGENT, opened_at=ago(hours=2)
            ),
            "mine": FlagFactory(
                status=FlagStatus.IN_REVIEW,
                assignee=reviewer,
                priority=FlagPriority.COMORBID,
                opened_at=ago(days=3),
            ),
            "theirs": FlagFactory(
                kind=FlagKind.ASSESS_BACK_PAIN,
                status=FlagStatus.IN_REVIEW,
                assignee=colleague,
                opened_at=ago(days=1),
            ),
            "unassigned_old": FlagFactory(opened_at=ago(days=30)),
        }

    return _make


def test_counts_per_kind_follow_the_other_filters_when_a_kind_is_chosen(signed_in, make_flags):
    make_flags()
    page = signed_in.get(QUEUE, {"kind": "assess_depression", "assignee": "unassigned"})
    text = re.sub(r"\s+", " ", page.content.decode())
    assert 'All kinds <span class="badge text-bg-light">2</span>' in text
    assert 'Assess for depression <span class="badge text-bg-light">1</span>' in text
    assert 'Safety: thoughts of death <span class="badge text-bg-light">1</span>' in text
    assert 'Assess for back pain <span class="badge text-bg-light">0</span>' in text
    assert "of 1," in text  # the caption's total follows the kind filter too


@pytest.mark.parametrize(
    ("kind", "age", "overdue"),
    [
        (FlagKind.SAFETY, {"hours": 25}, True),
        (FlagKind.SAFETY, {"hours": 23}, False),
        (FlagKind.ASSESS_DEPRESSION, {"days": 15}, True),
        (FlagKind.ASSESS_DEPRESSION, {"days": 13}, False),
    ],
    ids=["safety-25h", "safety-23h", "other-15d", "other-13d"],
)
def test_overdue_badge_shows_when_a_flag_waits_past_its_limit(signed_in, kind, age, overdue):
    priority = FlagPriority.URGENT if kind == FlagKind.SAFETY else FlagPriority.ROUTINE
    FlagFactory(kind=kind, priority=priority, opened_at=ago(**age))
    assert ("Overdue" in signed_in.get(QUEUE).content.decode()) is overdue


def test_overdue_limits_come_from_settings_when_changed(signed_in, settings):
    settings.FLAG_OVERDUE_DAYS = 3
    FlagFactory(opened_at=ago(days=4))
    assert "Overdue" in signed_in.get(QUEUE).content.decode()


def test_pages_stay_stable_when_a_more_urgent_flag_arrives_between_pages(signed_in):
    ordered = [FlagFactory(opened_at=ago(days=60 - i)).pk for i in range(30)]
    page1 = signed_in.get(QUEUE, {"size": 25})
    assert rows(page1) == ordered[:25]

    FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT, opened_at=ago(minutes=1))
    FlagFactory(opened_at=ago(days=100))  # oldest routine: sorts first among routine flags

    page2 = signed_in.get(link(page1, "next"))
    assert rows(page2) == ordered[25:]
    assert "Page 2" in page2.content.decode()
    assert link(page2, "next") is None

    back = signed_in.get(link(page2, "prev"))
    assert rows(back) == ordered[:25]  # the rows seen before, not shifted by the new flags


def test_cursor_in_the_url_carries_no_patient_data_when_paging(signed_in):
    flags = [FlagFactory(opened_at=ago(days=30 - i)) for i in range(26)]
    next_url = link(signed_in.get(QUEUE, {"size": 25}), "next")
    for flag in flags:
        assert flag.patient.mrn not in next_url
        assert flag.patient.family_name not in next_url


def test_first_page_is_shown_when_the_cursor_is_tampered_with(signed_in):
    flag = FlagFactory()
    response = signed_in.get(QUEUE, {"cursor": "not-a-real-token"})
    assert response.status_code == 200
    assert rows(response) == [flag.pk]


def test_bad_filter_is_reported_and_ignored_when_submitted(signed_in):
    flag = FlagFactory()
    response = signed_in.get(QUEUE, {"kind": "nonsense", "opened_from": "2026-02-30"})
    text = response.content.decode()
    assert rows(response) == [flag.pk]
    assert "Select a valid choice" in text
    assert "Enter the date as YYYY-MM-DD." in text


def test_filter_form_shows_the_defaults_when_a_link_names_only_some_filters(signed_in):
    page = signed_in.get(QUEUE, {"kind": "safety"}).content.decode()
    assert '<option value="50" selected>' in page
    assert '<option value="unresolved" selected>' in page
    assert '<option value="safety" selected>' in page


def test_empty_state_is_shown_when_no_flag_matches(signed_in):
    response = signed_in.get(QUEUE, {"kind": "safety"})
    assert "No flags match these filters." in response.content.decode()


def test_query_count_is_the_same_when_the_page_size_grows(signed_in, django_assert_num_queries):
    from tests.conftest import make_user

    colleague = make_user("colleague", "reviewer")
    for i in range(110):
        FlagFactory(
            opened_at=ago(days=200 - i),
            status=FlagStatus.IN_REVIEW if i % 2 else FlagStatus.OPEN,
            assignee=colleague if i % 2 else None,
        )
    signed_in.get(QUEUE)  # warm the session and permission caches alike for both sizes
    with CaptureQueriesContext(connection) as small:
        response = signed_in.get(QUEUE, {"size": 25})
    assert len(rows(response)) == 25
    with django_assert_num_queries(len(small.captured_queries)):
        response = signed_in.get(QUEUE, {"size": 100})
    assert len(rows(response)) == 100
    with django_assert_num_queries(len(small.captured_queries)):
        response = signed_in.get(link(response, "next"))
    assert len(rows(response)) == 10
