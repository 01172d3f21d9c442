"""Two reviewers act on one case at the same moment, on two real Postgres connections."""

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from audit.services import Actor
from review.services import (
    FlagActionError,
    claim_flag,
    reopen_flag,
    resolve_flag,
    take_over_flag,
)
from screening.models import Flag, FlagEvent, FlagOutcome, FlagStatus
from screening.services.visits import record_visit
from tests.conftest import make_user
from tests.factories import ANSWERS, FlagFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(action: Callable[[Any], Any], users: list[Any]) -> dict[str, str]:
    """Run `action(user)` for each user in its own thread and connection, released together by a
    barrier; return each username's outcome ("ok" or the error message)."""
    barrier = threading.Barrier(len(users))
    outcomes: dict[str, str] = {}

    def run(user: Any) -> None:
        try:
            barrier.wait()
            action(user)
            outcomes[user.username] = "ok"
        except FlagActionError as error:
            outcomes[user.username] = str(error)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def two_reviewers() -> list[Any]:
    first, second = make_user("ana", "reviewer"), make_user("ben", "reviewer")
    first.first_name, first.last_name = "Ana", "Alves"
    second.first_name, second.last_name = "Ben", "Brown"
    first.save()
    second.save()
    return [first, second]


def test_exactly_one_claim_wins_when_two_reviewers_claim_at_once(two_reviewers):
    flag = FlagFactory()
    outcomes = race(lambda user: claim_flag(flag_id=flag.pk, actor=Actor(user)), two_reviewers)

    flag.refresh_from_db()
    winner = flag.assignee
    loser = next(user for user in two_reviewers if user != winner)
    assert outcomes[winner.username] == "ok"
    assert outcomes[loser.username] == (
        f"{winner.first_name} {winner.last_name} ({winner.username}) has this case; "
        "ask them to release it, or take it over."
    )
    assert flag.status == FlagStatus.IN_REVIEW
    claims = FlagEvent.objects.filter(flag=flag, action="claimed")
    assert list(claims.values_list("actor", flat=True)) == [winner.pk]


def test_holder_closing_and_a_colleague_taking_over_at_once_leave_one_consistent_outcome(
    two_reviewers,
):
    holder, colleague = two_reviewers
    flag = FlagFactory(status=FlagStatus.IN_REVIEW, assignee=holder)

    def act(user: Any) -> None:
        if user == holder:
            resolve_flag(
                flag_id=flag.pk, actor=Actor(user), outcome=FlagOutcome.NOT_PRESENT, note="ok"
            )
        else:
            take_over_flag(flag_id=flag.pk, actor=Actor(user), reason="covering")

    outcomes = race(act, two_reviewers)

    flag.refresh_from_db()
    done = [user.username for user in two_reviewers if outcomes[user.username] == "ok"]
    assert len(done) == 1
    if done == [holder.username]:  # resolved first: the take-over found it closed
        assert flag.status == FlagStatus.RESOLVED
        assert outcomes[colleague.username].startswith("This case was already resolved")
    else:  # taken over first: the old holder may no longer close it
        assert (flag.status, flag.assignee) == (FlagStatus.IN_REVIEW, colleague)
        assert outcomes[holder.username] == (
            "Ben Brown (ben) has this case; ask them to release it, or take it over."
        )
    assert FlagEvent.objects.filter(flag=flag).count() == 1


def test_exactly_one_resolution_wins_when_two_reviewers_resolve_at_once(two_reviewers):
    flag = FlagFactory()

    def resolve(user: Any) -> Flag:
        return resolve_flag(
            flag_id=flag.pk,
            actor=Actor(user),
            outcome=FlagOutcome.NOT_PRESENT,
            note=f"assessed by {user.username}",
        )

    outcomes = race(resolve, two_reviewers)

    flag.refresh_from_db()
    winner = flag.resolved_by
    loser = next(user for user in two_reviewers if user != winner)
    assert outcomes[winner.username] == "ok"
    assert outcomes[loser.username].startswith(
        f"This case was already resolved by {winner.first_name} {winner.last_name} "
        f"({winner.username}) on"
    )
    assert flag.resolution_note == f"assessed by {winner.username}"
    resolutions = FlagEvent.objects.filter(flag=flag, action="resolved")
    assert list(resolutions.values_list("actor", flat=True)) == [winner.pk]


def test_one_unresolved_flag_remains_when_a_reopen_races_a_new_visit(two_reviewers):
    """Reopen and record_visit both lock the patient first: whichever goes second sees the
    other's flag, so the visit attaches to the reopened flag or the reopen is refused."""
    clinician = make_user("carl", "clinician")
    reviewer = two_reviewers[0]
    flag = FlagFactory(
        visit=VisitFactory(answers=ANSWERS["back_pain"]),
        status=FlagStatus.RESOLVED,
        outcome=FlagOutcome.NOT_PRESENT,
        resolved_at=timezone.now(),
        resolved_by=reviewer,
    )

    def act(user: Any) -> Any:
        if user == reviewer:
            return reopen_flag(flag_id=flag.pk, actor=Actor(user))
        return record_visit(
            patient=flag.patient,
            answers=ANSWERS["back_pain"],
            covariates={},
            visit_at=timezone.now(),
            submission_id=uuid.uuid4(),
            actor=Actor(user),
        )

    outcomes = race(act, [reviewer, clinician])

    unresolved = Flag.objects.filter(patient=flag.patient, kind=flag.kind).exclude(
        status=FlagStatus.RESOLVED
    )
    assert unresolved.count() == 1
    assert outcomes[clinician.username] == "ok"
    if outcomes[reviewer.username] == "ok":  # reopened first: the visit attached to it
        assert unresolved.get() == flag
        assert FlagEvent.objects.filter(flag=flag, action="attached").count() == 1
    else:  # the visit opened a new flag first: reopening would make a second one
        assert outcomes[reviewer.username].startswith("This patient already has an unresolved")
        assert unresolved.get() != flag
