"""Where a reviewer looks first: the unclaimed safety count on every page, the queue after
sign-in, and when an overdue flag became overdue (issue 15, point 2)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.models import FlagKind, FlagPriority, FlagStatus
from tests.factories import ANSWERS, FlagFactory, PatientFactory
from tests.integration.test_screening_form import form_data

pytestmark = pytest.mark.django_db
COUNT = 'data-testid="unclaimed-safety-count">'


def safety(**fields):
    return FlagFactory(kind=FlagKind.SAFETY, priority=FlagPriority.URGENT, **fields)


def test_reviewer_sees_the_unclaimed_safety_count_in_the_navigation_on_any_page(client, reviewer):
    safety()
    safety()
    safety(status=FlagStatus.IN_REVIEW, assignee=reviewer)  # claimed: someone has it
    FlagFactory()  # not a safety flag
    client.force_login(reviewer)

    html = client.get(reverse("patients:search")).content.decode()

    assert f'{COUNT}2<span class="visually-hidden"> unclaimed safety flags</span>' in html


def test_no_count_shows_when_no_safety_flag_waits(client, reviewer):
    safety(status=FlagStatus.IN_REVIEW, assignee=reviewer)
    client.force_login(reviewer)

    assert COUNT not in client.get(reverse("patients:search")).content.decode()


def test_clinician_sees_no_count_where_a_reviewer_does(client, clinician, reviewer):
    safety()
    client.force_login(clinician)
    client.get(reverse("patients:search"))  # warm the session and permission caches

    html = client.get(reverse("patients:search")).content.decode()
    client.force_login(reviewer)
    client.get(reverse("patients:search"))
    html_reviewer = client.get(reverse("patients:search")).content.decode()

    assert COUNT not in html
    assert f"{COUNT}1<" in html_reviewer


def test_reviewer_lands_on_the_queue_and_clinician_on_search_after_sign_in(
    client, reviewer, clinician
):
    client.force_login(reviewer)
    assert client.get("/").url == reverse("review:queue")
    client.force_login(clinician)
    assert client.get("/").url == reverse("patients:search")


def test_overdue_badge_says_since_when(client, reviewer, settings):
    settings.SAFETY_FLAG_OVERDUE_HOURS = 24
    opened = timezone.now() - dt.timedelta(hours=30)
    safety(opened_at=opened)
    client.force_login(reviewer)

    html = client.get(reverse("review:queue")).content.decode()

    since = timezone.localtime(opened + dt.timedelta(hours=24))
    assert f"Overdue since {since:%-d %b %Y %H:%M} {since.tzname()}" in html


def test_queue_shows_unclaimed_safety_flags_first_in_needs_action_now_newest_first(
    client, reviewer
):
    older = safety(opened_at=timezone.now() - dt.timedelta(hours=3))
    newer = safety(opened_at=timezone.now() - dt.timedelta(hours=1))
    safety(status=FlagStatus.IN_REVIEW, assignee=reviewer)
    client.force_login(reviewer)

    html = client.get(reverse("review:queue")).content.decode()

    group = html[html.index('data-testid="needs-action-now"') : html.index("filters-heading")]
    assert "Needs action now" in group
    assert group.index(f"/review/{newer.pk}/") < group.index(f"/review/{older.pk}/")
    assert len(re.findall(r'href="/review/\d+/"', group)) == 2  # the two cases, nothing else


def test_safety_banner_says_how_many_reviewers_were_emailed_and_where_the_case_is(
    client, clinician, reviewer
):
    safety(opened_at=timezone.now() - dt.timedelta(hours=2))
    patient = PatientFactory(created_by=clinician)
    client.force_login(clinician)
    answers = ANSWERS["safety"]

    response = client.post(
        reverse("screening:visit_new", args=[patient.pk]), form_data(answers), follow=True
    )

    html = response.content.decode()
    assert "1 reviewer was e-mailed a link to the case (no patient details)." in html
    assert 'It is the newest of 2 unclaimed safety cases in "Needs action now"' in html
    assert "at the top of the review queue" not in html
