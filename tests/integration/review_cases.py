"""What the review-action tests share: the URL of a case or of one of its actions, the messages
shown, a case's history, and fixtures for a colleague, a signed-in reviewer and a resolved case."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from screening.models import Flag, FlagEvent, FlagOutcome, FlagStatus
from tests.conftest import make_user
from tests.factories import FlagFactory


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
