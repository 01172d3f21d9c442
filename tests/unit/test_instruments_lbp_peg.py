"""Chronic low back pain and the PEG against INSTRUMENTS.md section 3: its table, the Task Force
definition of chronic, the PEG mean rounded half up to one decimal, and positive = chronic."""

from decimal import Decimal

import pytest

from screening.instruments import Instrument, InvalidAnswers, asked_items, lbp_peg, score
from tests.unit.instrument_cases import (
    CHRONIC_DURATIONS,
    CHRONIC_FREQUENCIES,
    LBP_DURATIONS,
    LBP_FREQUENCIES,
    LBP_PEG_TABLE,
    WORKED,
)
from tests.unit.instrument_cases import lbp_peg as answers

KEYS = tuple(row[0] for row in LBP_PEG_TABLE)


@pytest.mark.parametrize(("key", "wording", "values"), LBP_PEG_TABLE, ids=list(KEYS))
def test_question_matches_its_row_when_the_table_is_read(key, wording, values):
    question = {question.key: question for question in lbp_peg.QUESTIONS}[key]

    assert question.text == wording
    assert question.codes == values
    assert question.required


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("peg_pain", "0 No pain", "10 Pain as bad as you can imagine"),
        ("peg_enjoyment", "0 Does not interfere", "10 Completely interferes"),
        ("peg_activity", "0 Does not interfere", "10 Completely interferes"),
    ],
)
def test_peg_scale_shows_its_anchors_when_labelled(key, low, high):
    labels = dict({question.key: question for question in lbp_peg.QUESTIONS}[key].choices)

    assert (labels[0], labels[5], labels[10]) == (low, "5", high)


def test_all_five_are_asked_when_anything_is_answered():
    assert asked_items(Instrument.LBP_PEG, {}) == frozenset(KEYS)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [pytest.param(case[2], case[3], id=case[0]) for case in WORKED if case[1] == "lbp_peg"],
)
def test_result_is_the_hand_worked_one_when_scored(answers, expected):
    assert score(Instrument.LBP_PEG, answers).as_dict() == expected


@pytest.mark.parametrize("duration", LBP_DURATIONS)
@pytest.mark.parametrize("frequency", LBP_FREQUENCIES)
def test_chronic_needs_3_months_and_half_the_days_when_scored(duration, frequency):
    result = score(Instrument.LBP_PEG, answers(duration, frequency, 5, 5, 5))

    chronic = duration in CHRONIC_DURATIONS and frequency in CHRONIC_FREQUENCIES
    assert result.chronic is chronic
    assert result.positive is chronic


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ((0, 0, 0), "0.0"),
        ((10, 10, 10), "10.0"),
        ((1, 0, 0), "0.3"),
        ((1, 1, 0), "0.7"),
        ((5, 5, 6), "5.3"),
        ((7, 6, 7), "6.7"),
        ((9, 10, 10), "9.7"),
    ],
)
def test_peg_score_is_the_mean_to_one_decimal_when_scored(items, expected):
    assert lbp_peg.peg_score(*items) == Decimal(expected)
    result = score(Instrument.LBP_PEG, answers("gt_5_years", "every_day_or_nearly", *items))
    assert result.peg_score == Decimal(expected)
    assert result.as_dict()["peg_score"] == float(expected)


def test_meaningful_peg_change_is_a_30_percent_drop_when_read():
    assert Decimal("0.30") == lbp_peg.PEG_MEANINGFUL_DROP


@pytest.mark.parametrize(
    ("given", "key", "message"),
    [
        pytest.param(
            {**answers("gt_5_years", "every_day_or_nearly", 1, 1, 1), "peg_activity": None},
            "peg_activity",
            "required",
            id="peg-missing",
        ),
        pytest.param(
            answers("gt_5_years", "every_day_or_nearly", 11, 1, 1),
            "peg_pain",
            "invalid value 11: expected an integer from 0 to 10 or null",
            id="peg-above-10",
        ),
        pytest.param(
            answers("3_months", "every_day_or_nearly", 1, 1, 1),
            "lbp_duration",
            "invalid value '3_months': expected one of lt_1_month, 1_3_months, 3_6_months, "
            "6_12_months, 1_5_years, gt_5_years or null",
            id="duration-unknown",
        ),
        pytest.param(
            {"lbp_duration": "gt_5_years"},
            "lbp_frequency",
            "required",
            id="frequency-missing",
        ),
        pytest.param(
            {**answers("gt_5_years", "every_day_or_nearly", 1, 1, 1), "peg": 3},
            "peg",
            "unknown key; expected lbp_duration, lbp_frequency, peg_pain, peg_enjoyment, "
            "peg_activity",
            id="unknown-key",
        ),
    ],
)
def test_answers_are_refused_naming_the_key_when_bad(given, key, message):
    with pytest.raises(InvalidAnswers) as raised:
        score(Instrument.LBP_PEG, given)

    assert raised.value.key == key
    assert str(raised.value) == message
