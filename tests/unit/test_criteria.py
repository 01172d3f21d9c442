"""The study's criteria, one case per rule of CRITERIA.md sections 1-4 and 7."""

import pytest

from screening.criteria import (
    CRITERIA_VERSION,
    SYMPTOM_CUTOFF,
    InvalidAnswers,
    Path,
    asked_items,
    back_pain_near_threshold,
    classify,
    depression_near_threshold,
    explain,
    strip_unasked,
    validate,
)
from screening.questionnaire import (
    ANSWER_KEYS,
    DEATH_ITEMS,
    ITEMS,
    BackacheFreq,
    Duration,
    Frequency,
    SleepFrequency,
    Stem,
)

A_ENTERED = {"da_sad_2wk": "yes", "da_duration": "most_of_the_day", "da_frequency": "every_day"}
B_ENTERED = {
    "an_lost_interest_2wk": "yes",
    "an_duration": "all_day_long",
    "an_frequency": "almost_every_day",
}
A_FAILED = {"da_sad_2wk": "no"}
# Ordered so that the first few symptoms never include the death item (the safety item).
A_SYMPTOMS = (
    "da_tired",
    "da_concentration",
    "da_worthless",
    "da_lost_interest",
    "da_appetite_lost",
    "da_sleep_trouble",
    "da_death_thoughts",
)
B_SYMPTOMS = (
    "an_tired",
    "an_concentration",
    "an_worthless",
    "an_appetite_lost",
    "an_sleep_trouble",
    "an_death_thoughts",
)
SECTION_7_KEYS = (
    "backache_freq_30d",
    "da_sad_2wk",
    "da_duration",
    "da_frequency",
    "da_lost_interest",
    "da_tired",
    "da_appetite_lost",
    "da_appetite_increased",
    "da_sleep_trouble",
    "da_sleep_frequency",
    "da_concentration",
    "da_worthless",
    "da_death_thoughts",
    "an_lost_interest_2wk",
    "an_duration",
    "an_frequency",
    "an_tired",
    "an_appetite_lost",
    "an_appetite_increased",
    "an_sleep_trouble",
    "an_sleep_frequency",
    "an_concentration",
    "an_worthless",
    "an_death_thoughts",
)


def yes_to(keys: tuple[str, ...]) -> dict[str, object]:
    """Yes to each symptom, with sleep trouble every night so that it counts."""
    answers: dict[str, object] = dict.fromkeys(keys, True)
    for key in keys:
        if key.endswith("_sleep_trouble"):
            answers[key.replace("trouble", "frequency")] = "every_night"
    return answers


def answered(*parts: dict[str, object], **overrides: object) -> dict[str, object]:
    """One answer set from parts; an override of None drops the key (missing)."""
    answers: dict[str, object] = {}
    for part in parts:
        answers.update(part)
    answers.update(overrides)
    return {key: value for key, value in answers.items() if value is not None}


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


# Section 2: counting and caseness


@pytest.mark.parametrize(
    ("stems", "symptoms", "path", "major_depression"),
    [
        pytest.param(A_ENTERED, A_SYMPTOMS[:3], Path.DEPRESSED_AFFECT, False, id="A-3-negative"),
        pytest.param(A_ENTERED, A_SYMPTOMS[:4], Path.DEPRESSED_AFFECT, True, id="A-4-positive"),
        pytest.param(A_ENTERED, A_SYMPTOMS, Path.DEPRESSED_AFFECT, True, id="A-7-maximum"),
        pytest.param(
            {**A_FAILED, **B_ENTERED}, B_SYMPTOMS[:3], Path.ANHEDONIA, False, id="B-3-negative"
        ),
        pytest.param(
            {**A_FAILED, **B_ENTERED}, B_SYMPTOMS[:4], Path.ANHEDONIA, True, id="B-4-positive"
        ),
        pytest.param({**A_FAILED, **B_ENTERED}, B_SYMPTOMS, Path.ANHEDONIA, True, id="B-6-maximum"),
    ],
)
def test_major_depression_needs_the_cutoff_when_a_path_is_entered(
    stems: dict[str, object], symptoms: tuple[str, ...], path: Path, major_depression: bool
) -> None:
    result = classify(answered(stems, yes_to(symptoms)))

    assert result.path is path
    assert result.symptom_count == len(symptoms)
    assert result.major_depression is major_depression
    assert set(result.counted_items) == set(symptoms)


def test_cutoff_is_four_when_version_is_2026_1() -> None:
    assert (CRITERIA_VERSION, SYMPTOM_CUTOFF) == ("2026.1", 4)


@pytest.mark.parametrize(
    ("lost", "increased", "count", "counted"),
    [
        pytest.param(True, None, 1, ("da_appetite_lost",), id="lost"),
        pytest.param(False, True, 1, ("da_appetite_increased",), id="increased"),
        pytest.param(True, True, 1, ("da_appetite_lost",), id="both-once"),
        pytest.param(None, True, 1, ("da_appetite_increased",), id="lost-missing-increased"),
        pytest.param(False, False, 0, (), id="neither"),
        pytest.param(None, None, 0, (), id="missing"),
    ],
)
def test_appetite_counts_once_when_lost_or_increased(
    lost: bool | None, increased: bool | None, count: int, counted: tuple[str, ...]
) -> None:
    answers = answered(A_ENTERED, da_appetite_lost=lost, da_appetite_increased=increased)

    result = classify(answers)

    assert (result.symptom_count, result.counted_items) == (count, counted)


@pytest.mark.parametrize(
    ("trouble", "frequency", "count"),
    [
        pytest.param(True, "every_night", 1, id="every_night"),
        pytest.param(True, "nearly_every_night", 1, id="nearly_every_night"),
        pytest.param(True, "less_often", 0, id="less_often"),
        pytest.param(True, "dont_know", 0, id="dont_know"),
        pytest.param(True, "refused", 0, id="refused"),
        pytest.param(True, None, 0, id="frequency-missing"),
        pytest.param(False, "every_night", 0, id="no-trouble"),
        pytest.param(None, "every_night", 0, id="trouble-missing"),
    ],
)
def test_sleep_counts_only_when_trouble_every_or_nearly_every_night(
    trouble: bool | None, frequency: str | None, count: int
) -> None:
    answers = answered(A_FAILED, B_ENTERED, an_sleep_trouble=trouble, an_sleep_frequency=frequency)

    assert classify(answers).symptom_count == count


@pytest.mark.parametrize(
    ("answers", "path", "count"),
    [
        pytest.param(
            answered(A_ENTERED, yes_to(A_SYMPTOMS[:2]), B_ENTERED, yes_to(B_SYMPTOMS[:5])),
            Path.DEPRESSED_AFFECT,
            2,
            id="A-entered-B-ignored",
        ),
        pytest.param(
            answered(A_FAILED, yes_to(A_SYMPTOMS[:5]), B_ENTERED, yes_to(B_SYMPTOMS[:2])),
            Path.ANHEDONIA,
            2,
            id="B-entered-A-ignored",
        ),
        pytest.param(
            answered(A_FAILED, yes_to(A_SYMPTOMS[:5]), yes_to(B_SYMPTOMS[:5])),
            Path.NONE,
            0,
            id="none-all-ignored",
        ),
    ],
)
def test_only_entered_path_scores_when_answers_are_off_path(
    answers: dict[str, object], path: Path, count: int
) -> None:
    result = classify(answers)

    assert (result.path, result.symptom_count) == (path, count)


@pytest.mark.parametrize(
    "symptom",
    [pytest.param(key, id=key) for key in ("da_tired", "da_concentration", "da_worthless")],
)
@pytest.mark.parametrize("value", [pytest.param(False, id="no"), pytest.param(None, id="missing")])
def test_symptom_scores_zero_when_no_or_missing(symptom: str, value: bool | None) -> None:
    answers = answered(A_ENTERED, yes_to(A_SYMPTOMS[:4]), **{symptom: value})

    result = classify(answers)

    assert result.symptom_count == 3
    assert result.major_depression is False


# Section 4: safety; section 3 item 2: volunteered anti-depressants


@pytest.mark.parametrize(
    ("answers", "safety_flag", "count"),
    [
        pytest.param(answered(A_ENTERED, da_death_thoughts=True), True, 1, id="A-path"),
        pytest.param(answered(A_FAILED, B_ENTERED, an_death_thoughts=True), True, 1, id="B-path"),
        pytest.param(answered(A_ENTERED, an_death_thoughts=True), True, 0, id="off-path-B"),
        pytest.param(
            answered(A_FAILED, B_ENTERED, da_death_thoughts=True), True, 0, id="off-path-A"
        ),
        pytest.param(answered(A_FAILED, da_death_thoughts=True), True, 0, id="no-path"),
        pytest.param(answered(A_ENTERED, da_death_thoughts=False), False, 0, id="answered-no"),
        pytest.param(answered(A_ENTERED), False, 0, id="missing"),
    ],
)
def test_safety_flag_is_raised_when_death_thoughts_are_endorsed_on_any_path(
    answers: dict[str, object], safety_flag: bool, count: int
) -> None:
    result = classify(answers)

    assert result.safety_flag is safety_flag
    assert result.symptom_count == count


@pytest.mark.parametrize(
    ("answers", "volunteered", "path"),
    [
        pytest.param(
            answered(B_ENTERED, da_sad_2wk="on_antidepressants"), True, Path.ANHEDONIA, id="A1"
        ),
        pytest.param(
            answered(A_FAILED, an_lost_interest_2wk="on_antidepressants"), True, Path.NONE, id="B1"
        ),
        pytest.param(answered(A_ENTERED), False, Path.DEPRESSED_AFFECT, id="neither"),
    ],
)
def test_antidepressants_are_recorded_and_fail_the_stem_when_volunteered(
    answers: dict[str, object], volunteered: bool, path: Path
) -> None:
    result = classify(answers)

    assert result.antidepressant_volunteered is volunteered
    assert result.path is path


# Section 7: validation and the result format


def test_invalid_answers_names_the_key_when_key_is_unknown() -> None:
    with pytest.raises(InvalidAnswers, match="unknown key 'da_sadd'") as raised:
        classify({"da_sadd": "yes"})

    assert raised.value.key == "da_sadd"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("da_sad_2wk", "maybe", id="unknown-code"),
        pytest.param("backache_freq_30d", "Almost every day", id="label-not-code"),
        pytest.param("da_duration", 1, id="number-for-choice"),
        pytest.param("da_frequency", True, id="bool-for-choice"),
        pytest.param("da_tired", 1, id="number-for-bool"),
        pytest.param("da_tired", "yes", id="string-for-bool"),
        pytest.param("an_death_thoughts", "true", id="string-true-for-bool"),
    ],
)
def test_invalid_answers_names_the_key_when_value_is_not_allowed(key: str, value: object) -> None:
    with pytest.raises(InvalidAnswers, match=f"invalid value .* for '{key}'") as raised:
        classify({key: value})

    assert raised.value.key == key
    assert isinstance(raised.value, ValueError)


def test_validate_returns_every_key_as_plain_values_when_answers_are_valid() -> None:
    answers = {"da_sad_2wk": Stem.YES, "da_tired": False, "an_tired": None}

    clean = validate(answers)

    assert tuple(clean) == ANSWER_KEYS
    assert clean["da_sad_2wk"] == "yes"
    assert type(clean["da_sad_2wk"]) is str
    assert clean["da_tired"] is False
    assert {value for key, value in clean.items() if key not in answers} == {None}


def test_answer_keys_follow_section_7_when_listed() -> None:
    assert ANSWER_KEYS == SECTION_7_KEYS
    assert ITEMS["da_sad_2wk"].midus == "B1PA60"
    assert ITEMS["an_death_thoughts"].midus == "B1PA80"
    assert ITEMS["da_tired"].choices is None
    assert {item.section for item in ITEMS.values()} == {
        "back_pain",
        *Path.__members__.values(),
    } - {Path.NONE}


@pytest.mark.parametrize(
    ("key", "codes"),
    [
        pytest.param("backache_freq_30d", list(BackacheFreq), id="backache"),
        pytest.param("da_sad_2wk", list(Stem), id="stem-A"),
        pytest.param("an_lost_interest_2wk", list(Stem), id="stem-B"),
        pytest.param("an_duration", list(Duration), id="duration"),
        pytest.param("da_frequency", list(Frequency), id="frequency"),
        pytest.param("an_sleep_frequency", list(SleepFrequency), id="sleep-frequency"),
    ],
)
def test_item_choices_match_the_enum_when_compared(key: str, codes: list[str]) -> None:
    choices = ITEMS[key].choices

    assert choices is not None
    assert [code for code, _ in choices] == codes


def test_choice_labels_use_criteria_wording_when_shown() -> None:
    assert dict(ITEMS["backache_freq_30d"].choices or ())["several_times_a_week"] == (
        "Several times a week"
    )
    assert dict(ITEMS["da_sad_2wk"].choices or ())["on_antidepressants"] == (
        "Was on anti-depressants (volunteered)"
    )
    assert dict(ITEMS["an_duration"].choices or ())["dont_know"] == "Don't know"


def test_as_dict_has_exactly_the_section_7_keys_when_serialised() -> None:
    result = classify(answered(A_FAILED, B_ENTERED, backache_freq_30d="once_a_week"))

    assert result.as_dict() == {
        "back_pain": False,
        "major_depression": False,
        "path": "anhedonia",
        "symptom_count": 0,
        "safety_flag": False,
        "antidepressant_volunteered": False,
        "back_pain_answered": True,
        "stopped_at": None,
    }
    assert type(result.as_dict()["path"]) is str


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


# Near thresholds (DESIGN.md flag rules)


@pytest.mark.parametrize(
    ("answers", "near"),
    [
        pytest.param(answered(A_ENTERED, yes_to(A_SYMPTOMS[:3])), True, id="A-3"),
        pytest.param(answered(A_FAILED, B_ENTERED, yes_to(B_SYMPTOMS[:3])), True, id="B-3"),
        pytest.param(answered(A_ENTERED, yes_to(A_SYMPTOMS[:2])), False, id="A-2"),
        pytest.param(answered(A_ENTERED, yes_to(A_SYMPTOMS[:4])), False, id="A-4"),
        pytest.param(answered(A_FAILED), False, id="no-path"),
    ],
)
def test_depression_is_near_threshold_when_one_symptom_short(
    answers: dict[str, object], near: bool
) -> None:
    assert depression_near_threshold(classify(answers)) is near


@pytest.mark.parametrize(
    ("answer", "near"),
    [(code.value, code == BackacheFreq.ONCE_A_WEEK) for code in BackacheFreq] + [(None, False)],
)
def test_back_pain_is_near_threshold_when_once_a_week(answer: str | None, near: bool) -> None:
    assert back_pain_near_threshold(answered(backache_freq_30d=answer)) is near


# Explanations for the clinician


def explained(answers: dict[str, object]) -> list[str]:
    return explain(answers, classify(answers))


def test_explain_states_each_rule_met_when_path_a_is_positive() -> None:
    answers = answered(
        A_ENTERED,
        yes_to(A_SYMPTOMS[:3]),
        da_appetite_lost=False,
        da_appetite_increased=True,
        backache_freq_30d="several_times_a_week",
    )

    assert explained(answers) == [
        "Backaches several times a week in the past 30 days: meets the back-pain criterion "
        "(almost every day or several times a week).",
        "Depressed-affect path entered: sad 2+ weeks, most of the day, every day.",
        "4 of 7 symptoms counted (cut-off 4): tired or low on energy, appetite increased, "
        "trouble concentrating, felt worthless.",
        "Meets the major-depression criterion (4 or more symptoms).",
    ]


def test_explain_names_where_the_interview_ended_when_no_path_is_entered() -> None:
    answers = answered(
        backache_freq_30d="once_a_week",
        da_sad_2wk="on_antidepressants",
        an_lost_interest_2wk="yes",
        an_duration="about_half_the_day",
        da_tired=True,
    )

    assert explained(answers) == [
        "Backaches once a week in the past 30 days: does not meet the back-pain criterion "
        "(almost every day or several times a week). Once a week is one step short.",
        "Depressed-affect path not entered at A1: 'was on anti-depressants (volunteered)' does "
        "not qualify; the anhedonia questions follow.",
        "Interview ended at B2: 'about half the day' does not qualify.",
        "Does not meet the major-depression criterion: neither path was entered.",
        "1 answer(s) off the entered path ignored, as only that path is scored: da_tired.",
        "Anti-depressant use volunteered at A1: that stem fails; recorded for the clinician.",
    ]


def test_explain_covers_sleep_safety_and_missing_answers_when_path_b_is_negative() -> None:
    answers = answered(
        A_FAILED,
        B_ENTERED,
        an_lost_interest_2wk="on_antidepressants",
        an_sleep_trouble=True,
        an_death_thoughts=True,
        an_tired=True,
    )
    answers = answered(answers, an_lost_interest_2wk="yes", da_worthless=False)

    lines = explained(answers)

    assert lines == [
        "Backache frequency not answered: back pain counted as absent; the visit is incomplete.",
        "Depressed-affect path not entered at A1: 'no' does not qualify; "
        "the anhedonia questions follow.",
        "Anhedonia path entered: lost interest 2+ weeks, all day long, almost every day.",
        "2 of 6 symptoms counted (cut-off 4): tired or low on energy, thought a lot about death.",
        "Trouble falling asleep not counted: frequency not answered; "
        "it counts only every night or nearly every night.",
        "Does not meet the major-depression criterion: 2 symptom(s) short of the cut-off.",
        "1 answer(s) off the entered path ignored, as only that path is scored: da_worthless.",
        "Thought a lot about death during the two weeks: SAFETY flag. Assess suicide risk "
        "directly with a validated instrument; crisis line 988 (US). "
        "The study result is unchanged.",
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param(
            answered(backache_freq_30d="refused", da_sad_2wk="yes"),
            "Backache frequency refused: back pain counted as absent; the visit is incomplete.",
            id="back-pain-refused",
        ),
        pytest.param(
            answered(backache_freq_30d="not_at_all"),
            "Backaches not at all in the past 30 days: does not meet the back-pain criterion "
            "(almost every day or several times a week).",
            id="back-pain-none",
        ),
        pytest.param(
            answered(da_sad_2wk="yes", da_duration="most_of_the_day"),
            "Depressed-affect path not entered at A3: not answered; "
            "the anhedonia questions follow.",
            id="A3-missing",
        ),
        pytest.param(
            answered(A_ENTERED, yes_to(A_SYMPTOMS[:2]), da_sleep_trouble=True),
            "Trouble falling asleep not counted: frequency not answered; "
            "it counts only every night or nearly every night.",
            id="A-sleep-frequency-missing",
        ),
        pytest.param(
            answered(A_ENTERED, da_sleep_trouble=True, da_sleep_frequency="less_often"),
            "Trouble falling asleep not counted: frequency 'less often than that'; "
            "it counts only every night or nearly every night.",
            id="A-sleep-less-often",
        ),
        pytest.param(
            answered(A_ENTERED),
            "0 of 7 symptoms counted (cut-off 4).",
            id="A-no-symptoms",
        ),
        pytest.param(
            answered(A_ENTERED, an_tired=False, an_lost_interest_2wk="no"),
            "2 answer(s) off the entered path ignored, as only that path is scored: "
            "an_lost_interest_2wk, an_tired.",
            id="A-entered-B-answers",
        ),
        pytest.param(
            answered(A_FAILED, an_lost_interest_2wk="on_antidepressants"),
            "Anti-depressant use volunteered at B1: that stem fails; recorded for the clinician.",
            id="B1-antidepressants",
        ),
    ],
)
def test_explain_includes_the_rule_when_it_applies(
    answers: dict[str, object], expected: str
) -> None:
    assert expected in explained(answers)


def test_explain_omits_sleep_note_when_sleep_counted() -> None:
    lines = explained(answered(A_ENTERED, yes_to(("da_sleep_trouble",))))

    assert lines[2] == (
        "1 of 7 symptoms counted (cut-off 4): "
        "trouble falling asleep every night or nearly every night."
    )
    assert not any(line.startswith("Trouble falling asleep") for line in lines)


def test_explain_raises_invalid_answers_when_answers_are_invalid() -> None:
    with pytest.raises(InvalidAnswers):
        explain({"da_tired": "yes"}, classify({}))


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
