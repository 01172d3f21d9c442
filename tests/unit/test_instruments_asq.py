"""The ASQ against INSTRUMENTS.md section 1: its table, the screen, question 5's skip rule and
the three results, with the shared validation every instrument's answers pass."""

import pytest

from screening.instruments import (
    QUESTIONS,
    RULES_VERSION,
    AsqAnswer,
    AsqRisk,
    Instrument,
    InvalidAnswers,
    asked_items,
    asq,
    score,
)
from tests.unit.instrument_cases import ASQ_TABLE, WORKED
from tests.unit.instrument_cases import asq as answers

SCREEN = ("asq_1", "asq_2", "asq_3", "asq_4")


@pytest.mark.parametrize(("key", "wording", "values"), ASQ_TABLE, ids=[row[0] for row in ASQ_TABLE])
def test_question_matches_its_row_when_the_table_is_read(key, wording, values):
    question = {question.key: question for question in asq.QUESTIONS}[key]

    assert question.text == wording
    assert question.codes == values


def test_questions_are_the_table_in_order_when_listed():
    assert [question.key for question in QUESTIONS[Instrument.ASQ]] == [row[0] for row in ASQ_TABLE]


def test_rules_version_is_a_dated_string_when_read():
    assert RULES_VERSION == "2026.1"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [pytest.param(case[2], case[3], id=case[0]) for case in WORKED if case[1] == "asq"],
)
def test_result_is_the_hand_worked_one_when_scored(answers, expected):
    assert score(Instrument.ASQ, answers).as_dict() == expected


@pytest.mark.parametrize("key", SCREEN)
@pytest.mark.parametrize("answer", ["yes", "refused"])
@pytest.mark.parametrize(
    ("asq_5", "result"),
    [
        ("no", AsqRisk.NON_ACUTE_POSITIVE),
        ("yes", AsqRisk.ACUTE_POSITIVE),
        ("refused", AsqRisk.ACUTE_POSITIVE),
    ],
)
def test_screen_is_positive_when_any_of_the_four_is_yes_or_refused(key, answer, asq_5, result):
    given = {**answers("no", "no", "no", "no"), key: answer, "asq_5": asq_5}

    assert asq.screen_positive(given)
    assert asked_items(Instrument.ASQ, given) == frozenset((*SCREEN, "asq_5"))
    assert score(Instrument.ASQ, given).result is result


def test_result_is_negative_and_question_5_unasked_when_all_four_are_no():
    given = answers("no", "no", "no", "no")

    assert asked_items(Instrument.ASQ, given) == frozenset(SCREEN)
    result = score(Instrument.ASQ, given)
    assert (result.result, result.positive, result.acute) == (AsqRisk.NEGATIVE, False, False)


def test_question_5_is_unasked_when_nothing_is_answered_yet():
    assert asked_items(Instrument.ASQ, {}) == frozenset(SCREEN)


def test_enum_members_score_as_their_codes_when_given():
    given = {**answers("no", "no", "no", "no"), "asq_1": AsqAnswer.YES, "asq_5": AsqAnswer.NO}

    assert score(Instrument.ASQ, given).result is AsqRisk.NON_ACUTE_POSITIVE


def test_every_result_has_a_label_for_the_clinician_when_listed():
    assert [code for code, _ in AsqRisk.choices()] == [
        "negative",
        "non_acute_positive",
        "acute_positive",
    ]
    assert "do not leave the patient alone" in AsqRisk.ACUTE_POSITIVE.label
    assert "before the patient leaves" in AsqRisk.NON_ACUTE_POSITIVE.label


# Validation (section 1: all four required, asq_5 exactly when positive; section 5: the key)


@pytest.mark.parametrize(
    ("given", "key", "message"),
    [
        pytest.param(
            answers("no", "no", "no", "no", asq_5="no"),
            "asq_5",
            "asked only when the screen is positive (yes or refused to any of asq_1 to asq_4); "
            "leave it null",
            id="asq_5-on-a-negative-screen",
        ),
        pytest.param(
            answers("yes", "no", "no", "no"),
            "asq_5",
            "required when the screen is positive (yes or refused to any of asq_1 to asq_4)",
            id="asq_5-missing-on-a-positive-screen",
        ),
        pytest.param(answers("no", "no", "no"), "asq_4", "required", id="asq_4-missing"),
        pytest.param(
            {**answers("no", "no", "no", "no"), "asq_2": None}, "asq_2", "required", id="asq_2-null"
        ),
        pytest.param(
            answers("no", "maybe", "no", "no"),
            "asq_2",
            "invalid value 'maybe': expected one of yes, no, refused or null",
            id="unknown-answer",
        ),
        pytest.param(
            answers("no", "no", True, "no"),
            "asq_3",
            "invalid value True: expected one of yes, no, refused or null",
            id="boolean",
        ),
        pytest.param(
            {**answers("no", "no", "no", "no"), "asq_6": "no"},
            "asq_6",
            "unknown key; expected asq_1, asq_2, asq_3, asq_4, asq_5",
            id="unknown-key",
        ),
    ],
)
def test_answers_are_refused_naming_the_key_when_bad(given, key, message):
    with pytest.raises(InvalidAnswers) as raised:
        score(Instrument.ASQ, given)

    assert raised.value.key == key
    assert str(raised.value) == message
