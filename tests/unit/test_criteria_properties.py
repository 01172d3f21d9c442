"""Properties of the criteria that hold for every answer set (CRITERIA.md sections 1-3)."""

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.criteria import (
    Path,
    Result,
    classify,
    strip_unasked,
)
from screening.questionnaire import (
    ANSWER_KEYS,
    ITEMS,
    Duration,
    Frequency,
    Stem,
)

Answers = dict[str, object]
A_STEMS = ("da_sad_2wk", "da_duration", "da_frequency")
B_STEMS = ("an_lost_interest_2wk", "an_duration", "an_frequency")
STEMS = A_STEMS + B_STEMS
# Half the draws qualify, so that both paths are entered often enough to matter.
PASSING: list[list[str]] = [
    [Stem.YES],
    [Duration.ALL_DAY_LONG, Duration.MOST_OF_THE_DAY],
    [Frequency.EVERY_DAY, Frequency.ALMOST_EVERY_DAY],
]
QUALIFYING = dict(zip(A_STEMS + B_STEMS, PASSING + PASSING, strict=True))
BOOLEAN_KEYS = tuple(key for key, item in ITEMS.items() if item.choices is None)

quick = settings(database=None, max_examples=300)


def values(key: str) -> list[object]:
    """The answers drawn for item `key`: qualifying stems and yes weighted up, never None."""
    choices = ITEMS[key].choices
    if choices is None:
        return [True, True, False]
    return QUALIFYING.get(key, []) * 4 + [code for code, _ in choices]


def answer_sets(required: tuple[str, ...] = ()) -> st.SearchStrategy[Answers]:
    """Answer sets with any key None or answered, except `required` keys; Nones dropped or kept."""
    draws = {
        key: st.sampled_from(values(key) if key in required else [None, *values(key)])
        for key in ANSWER_KEYS
    }
    return st.tuples(st.fixed_dictionaries(draws), st.booleans()).map(
        lambda drawn: {key: v for key, v in drawn[0].items() if v is not None or drawn[1]}
    )


def study(result: Result) -> tuple[bool, bool, Path, int]:
    """The study's own result, without the app's extra findings (section 2, 'Result reported')."""
    return (result.back_pain, result.major_depression, result.path, result.symptom_count)


def off_path_keys(path: Path) -> tuple[str, ...]:
    """Items the study ignores once `path` is known (section 2, 'Counting')."""
    entered: Callable[[str], bool] = {
        Path.DEPRESSED_AFFECT: lambda key: key.startswith("da_"),
        Path.ANHEDONIA: lambda key: key.startswith("an_") or key in A_STEMS,
        Path.NONE: lambda key: key in STEMS,
    }[path]
    return tuple(key for key in ANSWER_KEYS[1:] if not entered(key))


@quick
@given(answers=answer_sets(), key=st.sampled_from(BOOLEAN_KEYS))
def test_count_never_falls_when_a_symptom_flips_to_yes(answers: Answers, key: str) -> None:
    before = classify(answers)

    after = classify({**answers, key: True})

    assert after.symptom_count >= before.symptom_count
    assert after.major_depression >= before.major_depression
    assert after.safety_flag >= before.safety_flag
    assert after.path is before.path


@quick
@given(answers=answer_sets(), other=answer_sets())
def test_study_result_is_unchanged_when_off_path_answers_change(
    answers: Answers, other: Answers
) -> None:
    result = classify(answers)
    changed = dict(answers)
    for key in off_path_keys(result.path):
        changed.pop(key, None)
        if key in other:
            changed[key] = other[key]

    assert study(classify(changed)) == study(result)


@quick
@given(answers=answer_sets(), other=answer_sets())
def test_back_pain_is_unchanged_when_anything_but_the_backache_item_changes(
    answers: Answers, other: Answers
) -> None:
    changed = {key: item for key, item in other.items() if key != "backache_freq_30d"}
    if "backache_freq_30d" in answers:
        changed["backache_freq_30d"] = answers["backache_freq_30d"]

    before, after = classify(answers), classify(changed)

    assert (after.back_pain, after.back_pain_answered) == (
        before.back_pain,
        before.back_pain_answered,
    )


@quick
@given(data=st.data(), answers=answer_sets())
def test_result_is_the_same_when_keys_come_in_any_order(
    data: st.DataObject, answers: Answers
) -> None:
    shuffled = dict(data.draw(st.permutations(list(answers.items()))))

    assert classify(shuffled) == classify(answers)


@quick
@given(answers=answer_sets(required=(*STEMS, "da_appetite_lost", "an_appetite_lost")))
def test_study_result_is_unchanged_when_unasked_answers_are_stripped(answers: Answers) -> None:
    """The form requires every asked item, so asked stems and appetite questions are answered."""
    assert study(classify(strip_unasked(answers))) == study(classify(answers))


@quick
@given(answers=answer_sets())
def test_strip_unasked_is_idempotent_when_applied_twice(answers: Answers) -> None:
    once = strip_unasked(answers)

    assert strip_unasked(once) == once
