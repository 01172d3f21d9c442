"""The study's criteria, sections 1 and 2: back pain, the stems that route the interview to a
path, and the form's skip logic (which items are asked, and what stripping the unasked keeps)."""

import pytest

from screening.criteria import Path, asked_items, classify, strip_unasked
from screening.questionnaire import ANSWER_KEYS, DEATH_ITEMS, Duration, Frequency, Stem
from tests.unit.criteria_cases import (
    A_ENTERED,
    A_FAILED,
    A_SYMPTOMS,
    B_ENTERED,
    B_SYMPTOMS,
    answered,
    yes_to,
)

STEM_FAILURES = [
    pytest.param(0, Stem.NO, id="1-no"),
    pytest.param(0, Stem.ON_ANTIDEPRESSANTS, id="1-on_antidepressants"),
    pytest.param(0, Stem.DONT_KNOW, id="1-dont_know"),
    pytest.param(0, Stem.REFUSED, id="1-refused"),
    pytest.param(0, None, id="1-missing"),
    pytest.param(1, Duration.ABOUT_HALF_THE_DAY, id="2-about_half_the_day"),
    pytest.param(1, Duration.LESS_THAN_HALF_THE_DAY, id="2-less_than_half_the_day"),
    pytest.param(1, Duration.DONT_KNOW, id="2-dont_know"),
    pytest.param(1, Duration.REFUSED, id="2-refused"),
    pytest.param(1, None, id="2-missing"),
    pytest.param(2, Frequency.LESS_OFTEN, id="3-less_often"),
    pytest.param(2, Frequency.DONT_KNOW, id="3-dont_know"),
    pytest.param(2, Frequency.REFUSED, id="3-refused"),
    pytest.param(2, None, id="3-missing"),
]
A_STEMS = ("da_sad_2wk", "da_duration", "da_frequency")
B_STEMS = ("an_lost_interest_2wk", "an_duration", "an_frequency")


# Section 1: back pain


@pytest.mark.parametrize(
    ("answer", "back_pain", "back_pain_answered"),
    [
        pytest.param("almost_every_day", True, True, id="almost_every_day"),
        pytest.param("several_times_a_week", True, True, id="several_times_a_week"),
        pytest.param("once_a_week", False, True, id="once_a_week"),
        pytest.param("several_times_a_month", False, True, id="several_times_a_month"),
        pytest.param("once_a_month", False, True, id="once_a_month"),
        pytest.param("not_at_all", False, True, id="not_at_all"),
        pytest.param("refused", False, False, id="refused"),
        pytest.param(None, False, False, id="missing"),
    ],
)
def test_back_pain_follows_backache_frequency_when_answered(
    answer: str | None, back_pain: bool, back_pain_answered: bool
) -> None:
    result = classify(answered(backache_freq_30d=answer))

    assert result.back_pain is back_pain
    assert result.back_pain_answered is back_pain_answered


# Section 2: stems and routing


@pytest.mark.parametrize("duration", ["all_day_long", "most_of_the_day"])
@pytest.mark.parametrize("frequency", ["every_day", "almost_every_day"])
def test_path_a_is_entered_when_all_three_stems_qualify(duration: str, frequency: str) -> None:
    answers = answered(A_ENTERED, da_duration=duration, da_frequency=frequency)

    result = classify(answers)

    assert result.path is Path.DEPRESSED_AFFECT
    assert result.stopped_at is None


@pytest.mark.parametrize(("position", "value"), STEM_FAILURES)
def test_interview_routes_to_path_b_when_path_a_fails_at_stem(
    position: int, value: str | None
) -> None:
    answers = answered(
        A_ENTERED,
        yes_to(A_SYMPTOMS),
        B_ENTERED,
        yes_to(B_SYMPTOMS[:4]),
        **{A_STEMS[position]: value},
    )

    result = classify(answers)

    assert result.path is Path.ANHEDONIA
    assert result.symptom_count == 4
    assert result.major_depression is True
    assert result.stopped_at is None


@pytest.mark.parametrize(("position", "value"), STEM_FAILURES)
def test_interview_ends_with_no_path_when_path_b_fails_at_stem(
    position: int, value: str | None
) -> None:
    answers = answered(
        A_FAILED, B_ENTERED, yes_to(B_SYMPTOMS), yes_to(A_SYMPTOMS), **{B_STEMS[position]: value}
    )

    result = classify(answers)

    assert result.path is Path.NONE
    assert result.stopped_at == B_STEMS[position]
    assert (result.symptom_count, result.counted_items, result.major_depression) == (0, (), False)


# Skip logic (section 2) for the form


BASE = frozenset({"backache_freq_30d", "da_sad_2wk"})
A_ASKED = frozenset(A_STEMS) | frozenset(A_SYMPTOMS)
B_ASKED = frozenset(B_STEMS) | frozenset(B_SYMPTOMS)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, BASE, id="nothing-yet"),
        pytest.param({"da_sad_2wk": "yes"}, BASE | {"da_duration"}, id="A1-yes"),
        pytest.param(
            {"da_sad_2wk": "yes", "da_duration": "all_day_long"},
            BASE | {"da_duration", "da_frequency"},
            id="A2-qualifies",
        ),
        pytest.param(A_ENTERED, BASE | A_ASKED, id="A-entered"),
        pytest.param(answered(A_ENTERED, B_ENTERED), BASE | A_ASKED, id="A-entered-B-never-asked"),
        pytest.param(
            answered(A_ENTERED, da_appetite_lost=False),
            BASE | A_ASKED | {"da_appetite_increased"},
            id="A-appetite-not-lost",
        ),
        pytest.param(
            answered(A_ENTERED, da_appetite_lost=True), BASE | A_ASKED, id="A-appetite-lost"
        ),
        pytest.param(
            answered(A_ENTERED, da_sleep_trouble=True),
            BASE | A_ASKED | {"da_sleep_frequency"},
            id="A-sleep-trouble",
        ),
        pytest.param(
            answered(A_ENTERED, da_sleep_trouble=False), BASE | A_ASKED, id="A-no-sleep-trouble"
        ),
        pytest.param(
            {"da_sad_2wk": "dont_know"}, BASE | {"an_lost_interest_2wk"}, id="A1-dont_know"
        ),
        pytest.param(
            {"da_sad_2wk": "yes", "da_duration": "about_half_the_day"},
            BASE | {"da_duration", "an_lost_interest_2wk"},
            id="A2-fails",
        ),
        pytest.param(
            {"da_sad_2wk": "yes", "da_duration": "most_of_the_day", "da_frequency": "less_often"},
            BASE | set(A_STEMS) | {"an_lost_interest_2wk"},
            id="A3-fails",
        ),
        pytest.param(
            {"da_sad_2wk": "no", "an_lost_interest_2wk": "yes"},
            BASE | {"an_lost_interest_2wk", "an_duration"},
            id="B1-yes",
        ),
        pytest.param(
            answered(A_FAILED, B_ENTERED, an_appetite_lost=False, an_sleep_trouble=True),
            BASE | B_ASKED | {"an_appetite_increased", "an_sleep_frequency"},
            id="B-entered-follow-ups",
        ),
        pytest.param(
            answered(A_FAILED, an_lost_interest_2wk="no", an_duration="all_day_long"),
            BASE | {"an_lost_interest_2wk"},
            id="B1-fails-ends",
        ),
        pytest.param(
            {"da_duration": "all_day_long", "an_lost_interest_2wk": "yes"},
            BASE,
            id="A1-unanswered-B-not-yet",
        ),
        pytest.param(
            {"da_sad_2wk": "no", "exercise": True},
            BASE | {"an_lost_interest_2wk"},
            id="extra-keys-ignored",
        ),
    ],
)
def test_asked_items_follow_skip_logic_when_answers_arrive(
    answers: dict[str, object], expected: frozenset[str]
) -> None:
    assert asked_items(answers) == expected


def test_strip_unasked_keeps_every_key_and_nulls_unasked_when_stored() -> None:
    answers = answered(
        A_ENTERED,
        yes_to(A_SYMPTOMS[:4]),
        B_ENTERED,
        da_appetite_lost=True,
        da_appetite_increased=True,
        da_sleep_trouble=True,
        da_sleep_frequency="every_night",
        backache_freq_30d="not_at_all",
    )

    stored = strip_unasked(answers)

    assert tuple(stored) == ANSWER_KEYS
    assert all(stored[key] is None for key in ANSWER_KEYS if key.startswith("an_"))
    assert stored["da_appetite_increased"] is None
    assert stored["da_sleep_trouble"] is True
    assert stored["da_sleep_frequency"] == "every_night"
    assert stored["backache_freq_30d"] == "not_at_all"
    assert classify(stored) == classify(answers)


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(
            {"backache_freq_30d": "not_at_all", "da_sad_2wk": "no", "da_death_thoughts": True},
            id="path-A-item-after-A1-no",
        ),
        pytest.param(
            {
                "backache_freq_30d": "not_at_all",
                "da_sad_2wk": "yes",
                "da_duration": "all_day_long",
                "da_frequency": "every_day",
                "an_death_thoughts": True,
            },
            id="path-B-item-when-A-entered",
        ),
        pytest.param(
            {"backache_freq_30d": "once_a_week", "an_death_thoughts": True},
            id="path-B-item-before-any-stem",
        ),
    ],
)
def test_recorded_death_yes_survives_stripping_and_raises_safety_when_off_path(answers) -> None:
    """An unasked but recorded "Yes" to thoughts of death is kept and raises SAFETY (section 4)."""
    stored = strip_unasked(answers)
    death_key = next(key for key in DEATH_ITEMS if answers.get(key) is True)
    assert stored[death_key] is True
    assert classify(stored).safety_flag is True
    assert classify(stored).symptom_count == classify(answers).symptom_count


def test_unasked_death_no_is_still_stripped() -> None:
    stored = strip_unasked({"da_sad_2wk": "no", "da_death_thoughts": False})
    assert stored["da_death_thoughts"] is None
