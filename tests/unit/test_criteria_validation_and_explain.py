"""The study's criteria, section 7 and the clinician's view: validating answers, the items and
their choices, the result format, and the plain-language explanation of a result."""

import pytest

from screening.criteria import InvalidAnswers, Path, classify, explain, validate
from screening.questionnaire import (
    ANSWER_KEYS,
    ITEMS,
    BackacheFreq,
    Duration,
    Frequency,
    SleepFrequency,
    Stem,
)
from tests.unit.criteria_cases import A_ENTERED, A_FAILED, A_SYMPTOMS, B_ENTERED, answered, yes_to

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
        "1 answer(s) off the entered path ignored, as only that path is scored: "
        "tired or low on energy (path A).",
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
        "1 answer(s) off the entered path ignored, as only that path is scored: "
        "felt worthless (path A).",
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
            "B1, tired or low on energy (path B).",
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
