"""The unfiltered report reads aggregates the database keeps (analytics/models.py): they must say
what the visits and flags say, whoever wrote them and however they changed since."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.roles import REVIEWER
from analytics import selectors
from analytics.aggregates import compact
from analytics.filters import Filters
from analytics.models import PatientLatest, VisitVolume
from audit.services import Actor
from review.services import claim_flag, resolve_flag
from screening.models import Flag, FlagOutcome, FlagStatus, Visit
from tests.conftest import make_user
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = Filters()  # the maintained aggregates
# the same visits through the live queries: a range wider than any generated visit
LIVE = Filters(date_from=dt.date(1900, 1, 1), date_to=dt.date(2999, 12, 31))


def sorted_frame(frame):  # type: ignore[no-untyped-def]
    return sorted(map(tuple, frame.astype(str).to_numpy().tolist()))


def assert_same_report() -> None:
    maintained, live = selectors.patient_cells(EVERYTHING), selectors.patient_cells(LIVE)
    for ours, theirs in zip(maintained, live, strict=True):
        assert sorted_frame(ours) == sorted_frame(theirs)
    assert selectors.screening_volume(EVERYTHING) == selectors.screening_volume(LIVE)
    flags_live = {row.kind: row for row in selectors.flag_yield(LIVE)}
    for row in selectors.flag_yield(EVERYTHING):
        other = flags_live[row.kind]
        assert (row.raised, row.resolved, row.unresolved) == (
            other.raised,
            other.resolved,
            other.unresolved,
        )
        assert row.confirmed == other.confirmed
        for ours, theirs in ((row.median_days, other.median_days), (row.p90_days, other.p90_days)):
            assert (ours is None) == (theirs is None)
            if ours is not None:
                assert ours == pytest.approx(theirs, abs=1 / 1440)  # waits to the minute


def test_the_maintained_aggregates_match_the_visits_when_loaded_amended_and_reviewed(settings):
    settings.DEBUG = True
    call_command("generate_visits", visits=3000, seed=5, batch=200, stdout=StringIO())
    assert PatientLatest.objects.count() == Visit.objects.values("patient").distinct().count()
    assert_same_report()

    # an amendment replaces a visit: it stops counting, its correction counts
    original = Visit.objects.filter(back_pain=True).order_by("id").first()
    VisitFactory(
        patient=original.patient,
        amends=original,
        visit_at=original.visit_at + dt.timedelta(minutes=20),
    )
    # reviewers resolve flags and claim others; a top-up adds patients and visits by COPY
    open_flags = Flag.objects.filter(status=FlagStatus.OPEN).order_by("id")
    first, second = [flag for flag in open_flags if flag.kind != "safety"][:2]
    reviewer = make_user("maintained_reviewer", REVIEWER)
    resolve_flag(
        flag_id=first.pk,
        actor=Actor(user=reviewer),
        outcome=FlagOutcome.CONFIRMED_MANAGED,
        note="Assessed; managed here",
    )
    claim_flag(flag_id=second.pk, actor=Actor(user=reviewer))
    call_command("generate_visits", visits=3500, top_up=True, stdout=StringIO())
    assert_same_report()


def test_folding_the_appended_rows_keeps_the_figures(settings):
    settings.DEBUG = True
    call_command("generate_visits", visits=1500, seed=3, batch=50, stdout=StringIO())
    reviewer = make_user("folding_reviewer", REVIEWER)
    for flag in Flag.objects.filter(status=FlagStatus.OPEN).exclude(kind="safety")[:5]:
        claim_flag(flag_id=flag.pk, actor=Actor(user=reviewer))
    before = (VisitVolume.objects.count(),)
    volume = selectors.screening_volume(EVERYTHING)

    sizes = compact()

    assert sizes["analytics_visitvolume"][0] == before[0]
    assert sizes["analytics_visitvolume"][1] <= before[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT bucket FROM analytics_visitvolume "
            "GROUP BY 1 HAVING count(*) > 1) repeated"
        )
        assert cursor.fetchone()[0] == 0  # one row per quarter hour
    assert selectors.screening_volume(EVERYTHING) == volume
    assert_same_report()
