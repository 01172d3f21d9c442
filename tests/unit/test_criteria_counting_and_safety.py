"""The study's criteria, sections 2 to 4: counting the entered path's symptoms to the cut-off,
the safety item and volunteered anti-depressants, and the near-threshold rules of DESIGN.md."""

import pytest

from screening.criteria import (
    CRITERIA_VERSION,
    SYMPTOM_CUTOFF,
    Path,
    back_pain_near_threshold,
    classify,
    depression_near_threshold,
)
from screening.questionnaire import BackacheFreq
from tests.unit.criteria_cases import (
    A_ENTERED,
    A_FAILED,
    A_SYMPTOMS,
    B_ENTERED,
    B_SYMPTOMS,
    answered,
    yes_to,
)

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
