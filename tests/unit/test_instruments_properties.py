"""Properties of the instruments that hold for every answer set (INSTRUMENTS.md sections 1-3):
the PHQ-9 band rises with the score, a yes never scores the ASQ negative, the PEG is the mean of
its items, and each skip rule asks exactly what it says."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.instruments import (
    QUESTIONS,
    AsqRisk,
    Band,
    Instrument,
    InvalidAnswers,
    asked_items,
    phq9,
    score,
)

Answers = dict[str, object]
quick = settings(database=None, max_examples=300)
BAND_ORDER = list(Band)


def drawn(instrument: Instrument) -> st.SearchStrategy[Answers]:
    """A full answer set: every question of the instrument answered with an allowed code."""
    return st.fixed_dictionaries(
        {question.key: st.sampled_from(question.codes) for question in QUESTIONS[instrument]}
    )


def as_asked(instrument: Instrument, answers: Answers) -> Answers:
    """The answers with what the skip rule does not ask removed, as a form submits them."""
    asked = asked_items(instrument, answers)
    return {key: value for key, value in answers.items() if key in asked}


asq_answers = drawn(Instrument.ASQ).map(lambda answers: as_asked(Instrument.ASQ, answers))
phq9_answers = drawn(Instrument.PHQ9).map(lambda answers: as_asked(Instrument.PHQ9, answers))
lbp_answers = drawn(Instrument.LBP_PEG)
levels = st.tuples(*[st.integers(0, 3)] * 9)


# PHQ-9


@quick
@given(low=st.integers(0, 27), high=st.integers(0, 27))
def test_phq9_band_never_falls_when_the_score_rises(low: int, high: int) -> None:
    low, high = sorted((low, high))

    assert BAND_ORDER.index(phq9.band(low)) <= BAND_ORDER.index(phq9.band(high))


@quick
@given(answers=phq9_answers)
def test_phq9_score_is_the_sum_and_positive_the_cut_point_when_scored(answers: Answers) -> None:
    result = score(Instrument.PHQ9, answers)

    assert result.score == sum(answers[key] for key in phq9.ITEM_KEYS)
    assert result.positive is (result.score >= 10)
    assert result.band is phq9.band(result.score)
    assert result.safety is (answers["phq9_9"] >= 1)


@quick
@given(before=levels, item=st.integers(0, 8))
def test_phq9_results_never_fall_when_an_item_rises(before: tuple[int, ...], item: int) -> None:
    after = tuple(min(level + 1, 3) if n == item else level for n, level in enumerate(before))

    old, new = phq9.mdd_algorithm(before), phq9.mdd_algorithm(after)

    assert new >= old
    assert sum(after) >= sum(before)


@quick
@given(levels=levels)
def test_phq9_algorithm_needs_item_1_or_2_at_2_when_met(levels: tuple[int, ...]) -> None:
    if phq9.mdd_algorithm(levels):
        assert max(levels[0], levels[1]) >= 2
        assert sum(level >= 2 for level in levels[:8]) + (levels[8] >= 1) >= 5


@quick
@given(answers=drawn(Instrument.PHQ9))
def test_phq9_difficulty_is_asked_exactly_when_an_item_is_above_0(answers: Answers) -> None:
    asked = "phq9_difficulty" in asked_items(Instrument.PHQ9, answers)

    assert asked is any(answers[key] > 0 for key in phq9.ITEM_KEYS)


# ASQ


@quick
@given(answers=asq_answers)
def test_asq_is_never_negative_when_any_of_the_four_is_yes(answers: Answers) -> None:
    result = score(Instrument.ASQ, answers)

    if "yes" in (answers[f"asq_{n}"] for n in range(1, 5)):
        assert result.result is not AsqRisk.NEGATIVE
        assert result.positive
    assert result.acute <= result.positive
    assert (result.result is AsqRisk.NEGATIVE) is (
        all(answers[f"asq_{n}"] == "no" for n in range(1, 5))
    )


@quick
@given(answers=drawn(Instrument.ASQ))
def test_asq_asks_question_5_exactly_when_the_screen_is_positive(answers: Answers) -> None:
    positive = any(answers[f"asq_{n}"] != "no" for n in range(1, 5))

    assert ("asq_5" in asked_items(Instrument.ASQ, answers)) is positive


@quick
@given(answers=asq_answers)
def test_asq_is_acute_exactly_when_question_5_is_not_no(answers: Answers) -> None:
    result = score(Instrument.ASQ, answers)

    assert result.acute is (answers.get("asq_5") in ("yes", "refused"))


# Every instrument


@quick
@given(
    instrument=st.sampled_from(list(Instrument)),
    data=st.data(),
)
def test_an_unasked_answer_is_refused_naming_its_key_when_given(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers = data.draw(drawn(instrument))
    unasked = [key for key in answers if key not in asked_items(instrument, answers)]
    asked = as_asked(instrument, answers)

    score(instrument, asked)  # what the skip rule asks always scores
    for key in unasked:
        with pytest.raises(InvalidAnswers) as raised:
            score(instrument, {**asked, key: answers[key]})
        assert raised.value.key == key


# LBP + PEG


@quick
@given(answers=lbp_answers)
def test_peg_score_is_the_mean_of_its_three_items_when_scored(answers: Answers) -> None:
    result = score(Instrument.LBP_PEG, answers)

    mean = Decimal(answers["peg_pain"] + answers["peg_enjoyment"] + answers["peg_activity"]) / 3
    assert abs(result.peg_score - mean) <= Decimal("0.05")
    assert result.peg_score == result.peg_score.quantize(Decimal("0.1"))
    assert Decimal(0) <= result.peg_score <= Decimal(10)
    assert result.positive is result.chronic


@quick
@given(answers=lbp_answers, key=st.sampled_from(["peg_pain", "peg_enjoyment", "peg_activity"]))
def test_peg_score_never_falls_and_chronic_never_changes_when_a_peg_item_rises(
    answers: Answers, key: str
) -> None:
    before = score(Instrument.LBP_PEG, answers)

    after = score(Instrument.LBP_PEG, {**answers, key: min(int(answers[key]) + 1, 10)})

    assert after.peg_score >= before.peg_score
    assert after.chronic is before.chronic
