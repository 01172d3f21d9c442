"""factory_boy factories for the models; tests build data here, never from JSON fixtures."""

import datetime as dt
import uuid
from typing import Any

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from patients.models import Patient, Sex
from screening.models import Flag, FlagKind, FlagPriority, FlagStatus, RecordedInstrument, Visit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"MRN{n:07d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=89)
    sex = factory.Iterator(Sex.values)
    education = "some_college"
    earnings = "25k_50k"
    created_by = factory.SubFactory(UserFactory)


NEGATIVE_ANSWERS: dict[str, Any] = {
    "backache_freq_30d": "not_at_all",
    "da_sad_2wk": "no",
    "an_lost_interest_2wk": "no",
}


class VisitFactory(factory.django.DjangoModelFactory):
    """A visit whose stored result is what screening.criteria says of its answers.

    Pass answers as `answers={...}` (CRITERIA.md section 7 keys); unasked keys are stored NULL.
    """

    class Meta:
        model = Visit

    patient = factory.SubFactory(PatientFactory)
    clinician = factory.SubFactory(UserFactory)
    visit_at = factory.LazyFunction(timezone.now)
    submission_id = factory.LazyFunction(uuid.uuid4)

    @classmethod
    def _create(cls, model_class: type[Visit], *args: Any, **kwargs: Any) -> Visit:
        from screening import criteria

        answers = kwargs.pop("answers", None) or dict(NEGATIVE_ANSWERS)
        stored = criteria.strip_unasked(answers)
        result = criteria.classify(stored)
        kwargs.update(stored)
        kwargs.update(result.as_dict())
        kwargs["path"] = str(result.path)
        kwargs.setdefault("criteria_version", criteria.CRITERIA_VERSION)
        return super()._create(model_class, *args, **kwargs)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


class FlagFactory(factory.django.DjangoModelFactory):
    """An open flag raised by a visit of the same patient."""

    class Meta:
        model = Flag

    visit = factory.SubFactory(VisitFactory)
    patient = factory.SelfAttribute("visit.patient")
    kind = FlagKind.ASSESS_DEPRESSION
    priority = FlagPriority.ROUTINE
    status = FlagStatus.OPEN
    reason = "backaches several times a week in the past 30 days"
    opened_at = factory.SelfAttribute("visit.visit_at")


# Answer sets by outcome (CRITERIA.md section 7 keys), for visits recorded through the form or
# screening.services.visits.record_visit.
_DA_STEMS = {"da_sad_2wk": "yes", "da_duration": "all_day_long", "da_frequency": "every_day"}
_AN_STEMS = {
    "da_sad_2wk": "no",
    "an_lost_interest_2wk": "yes",
    "an_duration": "most_of_the_day",
    "an_frequency": "almost_every_day",
}
ANSWERS: dict[str, dict[str, Any]] = {
    "negative": dict(NEGATIVE_ANSWERS),
    "back_pain": {**NEGATIVE_ANSWERS, "backache_freq_30d": "almost_every_day"},
    "depressed_affect": {
        "backache_freq_30d": "not_at_all",
        **_DA_STEMS,
        "da_lost_interest": True,
        "da_tired": True,
        "da_appetite_lost": False,
        "da_appetite_increased": True,
        "da_sleep_trouble": True,
        "da_sleep_frequency": "every_night",
        "da_concentration": False,
        "da_worthless": False,
        "da_death_thoughts": False,
    },
    "anhedonia": {
        "backache_freq_30d": "once_a_week",
        **_AN_STEMS,
        "an_tired": True,
        "an_appetite_lost": True,
        "an_sleep_trouble": False,
        "an_concentration": True,
        "an_worthless": True,
        "an_death_thoughts": False,
    },
    "safety": {
        "backache_freq_30d": "not_at_all",
        **_DA_STEMS,
        "da_lost_interest": False,
        "da_tired": False,
        "da_appetite_lost": False,
        "da_appetite_increased": False,
        "da_sleep_trouble": False,
        "da_concentration": False,
        "da_worthless": False,
        "da_death_thoughts": True,
    },
}
ANSWERS["comorbid"] = {**ANSWERS["depressed_affect"], "backache_freq_30d": "several_times_a_week"}


def phq9_answers(total: int, *, item9: int = 0) -> dict[str, Any]:
    """PHQ-9 answers (INSTRUMENTS.md section 2 keys) whose items sum to `total` (0-27)."""
    levels, left = [0] * 9, total - item9
    levels[8] = item9
    for index in range(8):
        levels[index] = min(3, left)
        left -= levels[index]
    if left:
        raise ValueError(f"a PHQ-9 total of {total} needs item 9 above {item9}")
    answers: dict[str, Any] = {f"phq9_{n + 1}": level for n, level in enumerate(levels)}
    answers["phq9_difficulty"] = "somewhat_difficult" if total else None
    return answers


def peg_answers(pain: int, enjoyment: int, activity: int) -> dict[str, Any]:
    """Chronic low back pain with the given PEG items (INSTRUMENTS.md section 3 keys)."""
    return {
        "lbp_duration": "1_5_years",
        "lbp_frequency": "every_day_or_nearly",
        "peg_pain": pain,
        "peg_enjoyment": enjoyment,
        "peg_activity": activity,
    }


# Instrument answers by outcome (INSTRUMENTS.md keys), every key of the instrument present.
INSTRUMENT_ANSWERS: dict[str, dict[str, Any]] = {
    "asq_acute": {"asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "yes"},
    "asq_negative": {"asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": None},
    "phq9_8": {**{f"phq9_{n}": 1 for n in range(1, 9)}, "phq9_9": 0, "phq9_difficulty": None},
    "phq9_12": {
        **{f"phq9_{n}": level for n, level in enumerate((2, 2, 1, 2, 1, 1, 1, 1, 1), start=1)},
        "phq9_difficulty": "very_difficult",
    },
    "phq9_0": {**{f"phq9_{n}": 0 for n in range(1, 10)}, "phq9_difficulty": None},
    "lbp_chronic": {
        "lbp_duration": "1_5_years",
        "lbp_frequency": "every_day_or_nearly",
        "peg_pain": 6,
        "peg_enjoyment": 5,
        "peg_activity": 5,
    },
}
_DEFAULT_ANSWERS = {"asq": "asq_negative", "phq9": "phq9_8", "lbp_peg": "lbp_chronic"}


class RecordedInstrumentFactory(factory.django.DjangoModelFactory):
    """An instrument recorded for a patient who has a visit, its stored result what
    screening.instruments scores. Pass `instrument=` and `answers={...}` (INSTRUMENTS.md keys;
    absent keys are stored null); without answers, a PHQ-9 of 8, a negative ASQ or a chronic
    LBP+PEG."""

    class Meta:
        model = RecordedInstrument

    patient = factory.LazyAttribute(lambda o: VisitFactory().patient)
    clinician = factory.SubFactory(UserFactory)
    instrument = "phq9"
    answers = None
    administered_at = factory.LazyFunction(timezone.now)
    submission_id = factory.LazyFunction(uuid.uuid4)

    @classmethod
    def _create(
        cls, model_class: type[RecordedInstrument], *args: Any, **kwargs: Any
    ) -> RecordedInstrument:
        from screening import instruments

        kind = instruments.Instrument(kwargs["instrument"])
        answers = kwargs["answers"] or dict(INSTRUMENT_ANSWERS[_DEFAULT_ANSWERS[kind]])
        result = instruments.score(kind, answers).as_dict()
        keys = [question.key for question in instruments.QUESTIONS[kind]]
        kwargs["answers"] = {key: answers.get(key) for key in keys}
        kwargs.setdefault("result", result)
        kwargs.setdefault("positive", bool(result["positive"]))
        kwargs.setdefault("rules_version", instruments.RULES_VERSION)
        return super()._create(model_class, *args, **kwargs)


class InvitationFactory(factory.django.DjangoModelFactory):
    """A self-entry invitation with throwaway hashes (tests that open one create it by POST)."""

    class Meta:
        model = "intake.Invitation"

    patient = factory.SubFactory(PatientFactory)
    created_by = factory.SubFactory(UserFactory)
    mode = "tablet"
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=2))
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    short_code_hash = factory.Sequence(lambda n: f"{n:064x}")


class SelfEntryFactory(factory.django.DjangoModelFactory):
    """A submitted self-entry of `visit` (entered by the patient), not yet signed off."""

    class Meta:
        model = "intake.SelfEntry"

    visit = factory.SubFactory(VisitFactory, entered_by="patient")
    invitation = factory.SubFactory(
        InvitationFactory,
        patient=factory.SelfAttribute("..visit.patient"),
        status="submitted",
        submitted_at=factory.LazyFunction(timezone.now),
    )
    answers = factory.LazyAttribute(
        lambda entry: {"backache_freq_30d": entry.visit.backache_freq_30d}
    )
    submitted_at = factory.LazyFunction(timezone.now)
    safety = False
