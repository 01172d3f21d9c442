"""`manage.py generate_visits`: synthetic data whose stored results and flags obey the rules."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from screening import criteria, questionnaire
from screening.models import Flag, FlagEvent, FlagStatus, Visit

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


def test_flags_follow_the_visits_when_generated(generated):
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
