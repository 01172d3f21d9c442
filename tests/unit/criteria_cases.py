"""Answer sets shared by the criteria tests: the stems that enter (or fail) each path, each
path's symptoms in order, and the helpers that build one answer set from parts."""

import itertools
from typing import Any

from screening import questionnaire

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


def skip_logic_cases() -> list[dict[str, str | bool]]:
    """Stem answers along both paths, and the follow-ups once a path is entered: the sets the
    browser's skip-logic test and the Questionnaire's enableWhen test replay."""
    stems = [
        [None, *[code for code, _ in questionnaire.ITEMS[key].choices or ()]]
        for key in ("da_sad_2wk", "da_duration", "da_frequency")
    ]
    cases: list[dict[str, Any]] = []
    for prefix, base in (("da", {}), ("an", {"da_sad_2wk": "no"})):
        keys = questionnaire.PATH_A.stems if prefix == "da" else questionnaire.PATH_B.stems
        for values in itertools.product(*stems):
            cases.append({**base, **dict(zip(keys, values, strict=True))})
        entered = dict(zip(keys, ("yes", "all_day_long", "every_day"), strict=True))
        for appetite, sleep in itertools.product((None, True, False), repeat=2):
            cases.append(
                {
                    **base,
                    **entered,
                    f"{prefix}_appetite_lost": appetite,
                    f"{prefix}_sleep_trouble": sleep,
                }
            )
    return [{key: value for key, value in case.items() if value is not None} for case in cases]
