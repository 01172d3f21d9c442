"""`manage.py generate_visits`: synthetic data whose stored results and flags obey the rules."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from screening import criteria, questionnaire
from screening.models import Flag, FlagEvent, FlagKind, FlagStatus, Visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_command_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing with DEBUG off"):
        call_command("generate_visits", visits=10)
    assert Visit.objects.count() == 0


@pytest.fixture
def generated(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("generate_visits", visits=600, batch=40, seed=7, stdout=out)
    return out.getvalue()


def test_visits_store_what_the_criteria_say_of_their_answers_when_generated(generated):
    assert Visit.objects.count() == 600
    assert "600 visits" in generated
    for visit in Visit.objects.all()[:200]:
        answers = {key: getattr(visit, key) for key in questionnaire.ANSWER_KEYS}
        assert answers == criteria.strip_unasked(answers)  # unasked items are NULL
        result = criteria.classify(answers).as_dict()
        assert {key: getattr(visit, key) for key in result} == result


def test_flags_follow_the_visits_when_generated(clinic):
    flags = Flag.objects.all()
    assert flags.exists()
    assert not flags.exclude(patient=F("visit__patient")).exists()
    unresolved = flags.exclude(status=FlagStatus.RESOLVED)
    per_kind = unresolved.values("patient", "kind").annotate(n=Count("id")).filter(n__gt=1)
    assert not per_kind.exists()
    assert flags.filter(status=FlagStatus.RESOLVED).exists()
    assert unresolved.exists()
    assert not flags.filter(Q(status=FlagStatus.IN_REVIEW) & Q(assignee__isnull=True)).exists()
    # every flag opened with an event, and safety flags only from visits with thoughts of death
    assert FlagEvent.objects.filter(action="opened").count() == flags.count()
    assert not flags.filter(kind="safety", visit__safety_flag=False).exists()


def test_a_second_run_adds_only_what_is_missing_when_topping_up(generated, settings):
    out = StringIO()
    call_command("generate_visits", visits=650, top_up=True, stdout=out)
    assert Visit.objects.count() == 650
    call_command("generate_visits", visits=650, top_up=True, stdout=out)
    assert Visit.objects.count() == 650
    assert "already holds 650 visits" in out.getvalue()


def test_topping_up_works_with_the_same_seed_and_another_when_generated(generated):
    from patients.models import Patient

    patients = Patient.objects.count()
    call_command("generate_visits", visits=900, seed=7, top_up=True, stdout=StringIO())
    assert Visit.objects.count() == 900  # the seed that filled it: new submission ids
    call_command("generate_visits", visits=1200, seed=2026, top_up=True, stdout=StringIO())
    call_command("generate_visits", visits=1300, top_up=True, stdout=StringIO())
    assert Visit.objects.count() == 1300
    assert Visit.objects.values("submission_id").distinct().count() == 1300
    assert Patient.objects.count() > patients
    assert Patient.objects.values("mrn").distinct().count() == Patient.objects.count()
    # every visit belongs to a patient; a later run's patients get visits of their own
    assert not Visit.objects.exclude(patient__in=Patient.objects.all()).exists()


@pytest.fixture
def clinic(settings):
    """A cohort the size of the demo's (`make run` loads 3,000 visits; more here for the rates)."""
    settings.DEBUG = True
    call_command("generate_visits", visits=6000, seed=11, stdout=StringIO())
    return timezone.now()


def test_safety_flags_are_resolved_within_hours_when_generated(clinic):
    safety = Flag.objects.filter(kind=FlagKind.SAFETY)
    assert safety.count() > 50
    # a SAFETY flag still open is less than a day or two old; a resolved one took hours
    assert (
        not safety.exclude(status=FlagStatus.RESOLVED)
        .filter(opened_at__lt=clinic - dt.timedelta(hours=48))
        .exists()
    )
    assert not safety.filter(resolved_at__gt=F("opened_at") + dt.timedelta(hours=48)).exists()
    within_a_day = safety.filter(resolved_at__lte=F("opened_at") + dt.timedelta(hours=24))
    assert within_a_day.count() >= 0.95 * safety.count()


def test_most_assess_flags_are_resolved_within_two_weeks_with_a_backlog_when_generated(clinic):
    assess = Flag.objects.exclude(kind=FlagKind.SAFETY)
    total = assess.count()
    assert total > 500
    two_weeks = dt.timedelta(days=14)
    quick = assess.filter(resolved_at__lte=F("opened_at") + two_weeks).count()
    assert quick >= 0.8 * total
    unresolved = assess.exclude(status=FlagStatus.RESOLVED)
    assert 0.005 * total <= unresolved.count() <= 0.05 * total  # some open, not a pile
    overdue = unresolved.filter(opened_at__lt=clinic - two_weeks).count()
    assert 1 <= overdue <= 0.03 * total  # a few overdue
    assert unresolved.filter(status=FlagStatus.OPEN).exists()
    assert unresolved.filter(status=FlagStatus.IN_REVIEW).exists()


def _share(visits) -> float:
    return visits.filter(major_depression=True).count() / visits.count()


def test_depression_is_about_the_studys_rates_with_and_without_back_pain_when_generated(clinic):
    with_back_pain = _share(Visit.objects.filter(back_pain=True))
    without = _share(Visit.objects.filter(back_pain=False))
    assert with_back_pain == pytest.approx(0.174, abs=0.04)
    assert without == pytest.approx(0.105, abs=0.03)
    assert with_back_pain > without + 0.03


def test_the_analytics_page_shows_the_association_both_ways_when_generated(
    clinic, client, admin_user
):
    client.force_login(admin_user)
    page = client.get(reverse("analytics:analytics")).text
    odds = re.search(r"Adjusted odds ratio</th><td>([0-9.]+) \(95% CI", page)
    assert odds is not None, "no adjusted odds ratio on the page"
    assert float(odds[1]) > 1.2
    crude = re.search(r"Crude odds ratio \(2&times;2 table\)</th><td>([0-9.]+)", page)
    assert crude is not None
    assert float(crude[1]) > 1.2
    # new depression after back pain, new back pain after depression: both ratios above 1
    row = r"given baseline [a-z ]+</th>\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>([0-9.]+) \("
    ratios = re.findall(row, page, re.S)
    assert len(ratios) == 2
    assert all(float(value) > 1 for value in ratios), ratios
