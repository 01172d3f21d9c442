"""The PHQ-9 against INSTRUMENTS.md section 2: its items, wording and LOINC codes, the bands,
the cut-point, the diagnostic algorithm, the safety item and the difficulty question's skip rule."""

import re

import pytest

from screening.instruments import (
    Band,
    Difficulty,
    Frequency,
    Instrument,
    InvalidAnswers,
    asked_items,
    phq9,
    score,
)
from tests.unit.instrument_cases import (
    PHQ9_BANDS,
    PHQ9_DIFFICULTY,
    PHQ9_DIFFICULTY_LOINC,
    PHQ9_ITEMS,
    PHQ9_LEVELS,
    PHQ9_PANEL,
    PHQ9_TOTAL,
    WORKED,
)
from tests.unit.instrument_cases import phq9 as answers

ITEMS = {question.key: question for question in phq9.QUESTIONS}
ALL_ZERO = (0,) * 9


def words(text: str) -> str:
    """Wording without case or punctuation, so the instrument's dashes match the page's commas."""
    return " ".join(re.findall(r"[a-z]+", text.lower()))


@pytest.mark.parametrize(
    ("key", "loinc", "wording"), PHQ9_ITEMS, ids=[row[0] for row in PHQ9_ITEMS]
)
def test_item_has_its_wording_loinc_code_and_scale_when_read(key, loinc, wording):
    question = ITEMS[key]

    assert words(question.text) == words(wording)
    assert question.loinc == loinc
    assert question.choices == tuple(PHQ9_LEVELS)
    assert question.required


def test_items_come_in_order_then_difficulty_when_listed():
    assert list(ITEMS) == [row[0] for row in PHQ9_ITEMS] + ["phq9_difficulty"]


def test_difficulty_has_its_codes_and_loinc_code_when_read():
    question = ITEMS["phq9_difficulty"]

    assert question.codes == PHQ9_DIFFICULTY
    assert question.loinc == PHQ9_DIFFICULTY_LOINC
    assert not question.required


def test_loinc_codes_are_those_of_the_published_form_when_read():
    assert (phq9.PANEL_LOINC, phq9.TOTAL_LOINC) == (PHQ9_PANEL, PHQ9_TOTAL)
    assert [member.loinc for member in Frequency] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]
    assert [phq9.DIFFICULTY_LOINC[member] for member in Difficulty] == [
        "LA6572-7",
        "LA6573-5",
        "LA6575-0",
        "LA6574-3",
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [pytest.param(case[2], case[3], id=case[0]) for case in WORKED if case[1] == "phq9"],
)
def test_result_is_the_hand_worked_one_when_scored(answers, expected):
    assert score(Instrument.PHQ9, answers).as_dict() == expected


@pytest.mark.parametrize(("low", "high", "name"), PHQ9_BANDS, ids=[row[2] for row in PHQ9_BANDS])
def test_band_covers_its_row_when_the_score_is_in_range(low, high, name):
    for total in range(low, high + 1):
        assert phq9.band(total) is Band(name)


@pytest.mark.parametrize("total", [-1, 28])
def test_band_refuses_a_score_when_out_of_range(total):
    with pytest.raises(ValueError, match="from 0 to 27"):
        phq9.band(total)


@pytest.mark.parametrize(("total", "positive"), [(9, False), (10, True), (24, True)])
def test_positive_follows_the_cut_point_of_10_when_scored(total, positive):
    levels = [0] * 9
    for index in range(total):
        levels[index % 8] += 1  # item 9 kept at 0, so no safety item is needed

    assert (
        score(Instrument.PHQ9, answers(*levels, difficulty="very_difficult")).positive is positive
    )


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param((2, 0, 2, 2, 2, 2, 0, 0, 0), True, id="five-with-item-1"),
        pytest.param((0, 3, 0, 0, 2, 2, 2, 2, 0), True, id="five-with-item-2"),
        pytest.param((2, 2, 2, 2, 0, 0, 0, 0, 1), True, id="item-9-at-1-counts"),
        pytest.param((2, 2, 2, 2, 0, 0, 0, 1, 0), False, id="item-8-at-1-does-not"),
        pytest.param((1, 1, 2, 2, 2, 2, 2, 0, 0), False, id="items-1-and-2-at-1"),
        pytest.param((2, 2, 2, 2, 0, 0, 0, 0, 0), False, id="four-only"),
        pytest.param((3, 3, 3, 3, 3, 3, 3, 3, 3), True, id="all-at-3"),
    ],
)
def test_diagnostic_algorithm_counts_items_at_2_or_item_9_at_1_when_scored(levels, expected):
    assert phq9.mdd_algorithm(levels) is expected
    assert (
        score(Instrument.PHQ9, answers(*levels, difficulty="not_difficult")).mdd_algorithm
        is expected
    )


@pytest.mark.parametrize(("item_9", "safety"), [(0, False), (1, True), (2, True), (3, True)])
def test_safety_follows_item_9_at_1_or_more_when_scored(item_9, safety):
    given = answers(*ALL_ZERO[:8], item_9, difficulty="somewhat_difficult" if item_9 else None)

    assert score(Instrument.PHQ9, given).safety is safety


def test_difficulty_is_asked_when_any_item_is_above_0():
    assert "phq9_difficulty" in asked_items(Instrument.PHQ9, answers(0, 0, 0, 0, 0, 0, 1, 0, 0))


def test_difficulty_is_not_asked_when_every_item_is_0_or_unanswered():
    assert "phq9_difficulty" not in asked_items(Instrument.PHQ9, answers(*ALL_ZERO))
    assert "phq9_difficulty" not in asked_items(Instrument.PHQ9, {"phq9_1": "2", "phq9_2": True})


def test_difficulty_may_stay_null_when_asked():
    assert score(Instrument.PHQ9, answers(1, 0, 0, 0, 0, 0, 0, 0, 0)).score == 1


def test_enum_members_score_as_their_codes_when_given():
    given = answers(*[Frequency.MORE_THAN_HALF] * 9, difficulty=Difficulty.VERY_DIFFICULT)

    assert score(Instrument.PHQ9, given).score == 18


@pytest.mark.parametrize(
    ("given", "key", "message"),
    [
        pytest.param(answers(*ALL_ZERO[:8]), "phq9_9", "required", id="item-9-missing"),
        pytest.param(
            answers(*ALL_ZERO, difficulty="not_difficult"),
            "phq9_difficulty",
            "asked only when any item is above 0; leave it null",
            id="difficulty-when-all-0",
        ),
        pytest.param(
            answers(4, 0, 0, 0, 0, 0, 0, 0, 0),
            "phq9_1",
            "invalid value 4: expected an integer from 0 to 3 or null",
            id="above-3",
        ),
        pytest.param(
            answers(0, -1, 0, 0, 0, 0, 0, 0, 0),
            "phq9_2",
            "invalid value -1: expected an integer from 0 to 3 or null",
            id="negative",
        ),
        pytest.param(
            answers(0, 0, "1", 0, 0, 0, 0, 0, 0),
            "phq9_3",
            "invalid value '1': expected an integer from 0 to 3 or null",
            id="string",
        ),
        pytest.param(
            answers(0, 0, 0, True, 0, 0, 0, 0, 0),
            "phq9_4",
            "invalid value True: expected an integer from 0 to 3 or null",
            id="boolean",
        ),
        pytest.param(
            answers(0, 0, 0, 0, 1.0, 0, 0, 0, 0),
            "phq9_5",
            "invalid value 1.0: expected an integer from 0 to 3 or null",
            id="float",
        ),
        pytest.param(
            answers(1, 0, 0, 0, 0, 0, 0, 0, 0, difficulty="hard"),
            "phq9_difficulty",
            "invalid value 'hard': expected one of not_difficult, somewhat_difficult, "
            "very_difficult, extremely_difficult or null",
            id="difficulty-unknown",
        ),
        pytest.param(
            {**answers(*ALL_ZERO), "phq9_10": 0},
            "phq9_10",
            "unknown key; expected phq9_1, phq9_2, phq9_3, phq9_4, phq9_5, phq9_6, phq9_7, "
            "phq9_8, phq9_9, phq9_difficulty",
            id="unknown-key",
        ),
    ],
)
def test_answers_are_refused_naming_the_key_when_bad(given, key, message):
    with pytest.raises(InvalidAnswers) as raised:
        score(Instrument.PHQ9, given)

    assert raised.value.key == key
    assert str(raised.value) == message
