"""The study's back-pain and major-depression criteria (CRITERIA.md) as pure functions.

Standard library only, so the form, the batch classifier, exports and analytics share one copy;
the items and the skip logic's gates they read are screening.questionnaire's.
`python -m screening.criteria FILE.json` (or `-` for stdin) classifies a JSON list of answer sets.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from screening.casefile import read_json
from screening.questionnaire import (
    ANSWER_KEYS,
    BACKACHE,
    DEATH_ITEMS,
    ITEMS,
    PATH_A,
    PATH_B,
    BackacheFreq,
    PathSpec,
    Section,
    SleepFrequency,
    Stem,
)

CRITERIA_VERSION: str = "2026.1"
SYMPTOM_CUTOFF = 4

Answers = Mapping[str, object]


class Path(StrEnum):
    """Which CIDI-SF path a respondent entered (CRITERIA.md section 7)."""

    DEPRESSED_AFFECT = "depressed_affect"
    ANHEDONIA = "anhedonia"
    NONE = "none"


_BACK_PAIN_CODES = frozenset({BackacheFreq.ALMOST_EVERY_DAY, BackacheFreq.SEVERAL_TIMES_A_WEEK})
_SLEEP_CODES = frozenset({SleepFrequency.EVERY_NIGHT, SleepFrequency.NEARLY_EVERY_NIGHT})


class InvalidAnswers(ValueError):
    """An answer set with an unknown key or a value the item does not allow (section 7)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _checked(key: str, value: object) -> str | bool | None:
    """The value if item `key` allows it, else InvalidAnswers naming the key (section 7)."""
    if key not in ITEMS:
        raise InvalidAnswers(key, f"unknown key {key!r}")
    choices = ITEMS[key].choices
    if value is None:
        return None
    if choices is None:
        if isinstance(value, bool):
            return value
        expected = "true, false or null"
        raise InvalidAnswers(key, f"invalid value {value!r} for {key!r}: expected {expected}")
    codes = [code for code, _ in choices]
    if isinstance(value, str) and value in codes:
        return str(value)
    raise InvalidAnswers(
        key, f"invalid value {value!r} for {key!r}: expected one of {', '.join(codes)} or null"
    )


def validate(answers: Answers) -> dict[str, str | bool | None]:
    """Every answer key with its checked value, absent = None; raises InvalidAnswers (section 7)."""
    checked = {key: _checked(key, value) for key, value in answers.items()}
    return {key: checked.get(key) for key in ANSWER_KEYS}


def _stop(spec: PathSpec, answers: Answers) -> str | None:
    """The first stem key without a qualifying answer, None when the path is entered (section 2)."""
    for key, passing in zip(spec.stems, spec.passing, strict=True):
        value = answers.get(key)
        if not (isinstance(value, str) and value in passing):
            return key
    return None


def _path_asked(spec: PathSpec, answers: Answers) -> tuple[set[str], bool]:
    """Items of one path asked so far; True when a stem got a non-qualifying answer (section 2)."""
    stop = _stop(spec, answers)
    if stop is not None:
        asked = set(spec.stems[: spec.stems.index(stop) + 1])
        return asked, answers.get(stop) is not None
    asked = set(spec.stems) | set(spec.symptoms)
    asked |= {rule.key for rule in spec.followups if answers.get(rule.after) is rule.when}
    return asked, False


def asked_items(answers: Answers) -> frozenset[str]:
    """The items the skip logic asks given the answers so far; ignores extra keys (section 2)."""
    asked, a_failed = _path_asked(PATH_A, answers)
    if a_failed:
        asked |= _path_asked(PATH_B, answers)[0]
    return frozenset(asked | {BACKACHE})


def strip_unasked(answers: Answers) -> dict[str, object]:
    """Every answer key, with items the skip logic did not ask set to None (section 3, item 4),
    except a recorded "Yes" to thoughts of death, which is kept on any path (section 4)."""
    asked = asked_items(answers)
    return {
        key: answers.get(key) if key in asked or _is_recorded_death_yes(key, answers) else None
        for key in ANSWER_KEYS
    }


def _is_recorded_death_yes(key: str, answers: Answers) -> bool:
    # An urgent safety answer must never be lost: off the entered path it scores nothing in the
    # study's count, but it still raises the SAFETY flag (CRITERIA.md section 4).
    return key in DEATH_ITEMS and answers.get(key) is True


@dataclass(frozen=True)
class Result:
    """The study's classification of one answer set, plus the app's own findings (section 7)."""

    back_pain: bool
    major_depression: bool
    path: Path
    symptom_count: int
    safety_flag: bool
    antidepressant_volunteered: bool
    back_pain_answered: bool
    stopped_at: str | None
    counted_items: tuple[str, ...]  # the keys that scored a point, for explanations

    def as_dict(self) -> dict[str, bool | int | str | None]:
        """The eight JSON-ready result keys of CRITERIA.md section 7."""
        return {
            "back_pain": self.back_pain,
            "major_depression": self.major_depression,
            "path": self.path.value,
            "symptom_count": self.symptom_count,
            "safety_flag": self.safety_flag,
            "antidepressant_volunteered": self.antidepressant_volunteered,
            "back_pain_answered": self.back_pain_answered,
            "stopped_at": self.stopped_at,
        }


def _scores(key: str, answers: Answers) -> str | None:
    """The key earning symptom `key` its point, or None: appetite once, sleep rule (section 2)."""
    prefix = key[:2]
    if key == f"{prefix}_appetite_lost":
        either = (key, f"{prefix}_appetite_increased")
        return next((hit for hit in either if answers.get(hit) is True), None)
    if key == f"{prefix}_sleep_trouble":
        often = answers.get(f"{prefix}_sleep_frequency") in _SLEEP_CODES
        return key if answers.get(key) is True and often else None
    return key if answers.get(key) is True else None


def _counted(spec: PathSpec, answers: Answers) -> tuple[str, ...]:
    """The symptom keys that scored on one path; missing, DK or refused score 0 (section 2)."""
    return tuple(hit for key in spec.symptoms if (hit := _scores(key, answers)) is not None)


def _entered(answers: Answers) -> tuple[PathSpec | None, str | None]:
    """The path entered, or None with the stem key where the interview ended (section 2)."""
    if _stop(PATH_A, answers) is None:
        return PATH_A, None
    stop = _stop(PATH_B, answers)
    return (PATH_B, None) if stop is None else (None, stop)


def classify(answers: Answers) -> Result:
    """Validate, then apply CRITERIA.md sections 1-4 exactly; raises InvalidAnswers."""
    clean = validate(answers)
    backache = clean[BACKACHE]
    spec, stopped_at = _entered(clean)
    counted = () if spec is None else _counted(spec, clean)
    return Result(
        back_pain=backache in _BACK_PAIN_CODES,
        major_depression=spec is not None and len(counted) >= SYMPTOM_CUTOFF,
        path=Path.NONE if spec is None else Path(spec.section),
        symptom_count=len(counted),
        safety_flag=any(clean[key] is True for key in DEATH_ITEMS),
        antidepressant_volunteered=Stem.ON_ANTIDEPRESSANTS
        in (clean[PATH_A.stems[0]], clean[PATH_B.stems[0]]),
        back_pain_answered=backache not in (None, BackacheFreq.REFUSED),
        stopped_at=stopped_at,
        counted_items=counted,
    )


def depression_near_threshold(result: Result) -> bool:
    """A path was entered and the count is one short of the cut-off (DESIGN.md flag rules)."""
    return result.path is not Path.NONE and result.symptom_count == SYMPTOM_CUTOFF - 1


def back_pain_near_threshold(answers: Answers) -> bool:
    """Backaches once a week, one step short of the back-pain criterion (DESIGN.md flag rules)."""
    return answers.get(BACKACHE) == BackacheFreq.ONCE_A_WEEK


_PHRASES = {
    "lost_interest": "lost interest in most things",
    "tired": "tired or low on energy",
    "appetite_lost": "appetite lost",
    "appetite_increased": "appetite increased",
    "sleep_trouble": "trouble falling asleep every night or nearly every night",
    "concentration": "trouble concentrating",
    "worthless": "felt worthless",
    "death_thoughts": "thought a lot about death",
    "sleep_frequency": "how often trouble falling asleep",
}


def _question(key: str) -> str:
    """An item as a clinician knows it from the form: a stem's number, or its symptom and path."""
    spec = PATH_A if key.startswith(PATH_A.prefix) else PATH_B
    return spec.number(key) or f"{_PHRASES[key[3:]]} (path {spec.letter})"


def _label(key: str, value: object) -> str:
    """The lower-case option label of a choice answer, as CRITERIA.md words it."""
    labels = dict(ITEMS[key].choices or ())
    return labels[str(value)].lower()


def _explain_back_pain(value: object) -> str:
    """One sentence on the back-pain rule (section 1)."""
    if value in (None, BackacheFreq.REFUSED):
        answer = "not answered" if value is None else "refused"
        return f"Backache frequency {answer}: back pain counted as absent; the visit is incomplete."
    verdict = "meets" if value in _BACK_PAIN_CODES else "does not meet"
    near = " Once a week is one step short." if value == BackacheFreq.ONCE_A_WEEK else ""
    return (
        f"Backaches {_label(BACKACHE, value)} in the past 30 days: {verdict} the back-pain "
        f"criterion (almost every day or several times a week).{near}"
    )


def _explain_stems(spec: PathSpec, answers: Answers) -> str:
    """One sentence on whether a path was entered and, if not, where it failed (section 2)."""
    name = "Depressed-affect" if spec is PATH_A else "Anhedonia"
    stop = _stop(spec, answers)
    if stop is None:
        feeling = "sad" if spec is PATH_A else "lost interest"
        duration, frequency = (_label(key, answers[key]) for key in spec.stems[1:])
        return f"{name} path entered: {feeling} 2+ weeks, {duration}, {frequency}."
    value = answers.get(stop)
    why = "not answered" if value is None else f"'{_label(stop, value)}' does not qualify"
    where = spec.number(stop)
    if spec is PATH_A:
        return f"{name} path not entered at {where}: {why}; the anhedonia questions follow."
    return f"Interview ended at {where}: {why}."


def _explain_symptoms(spec: PathSpec, answers: Answers, result: Result) -> list[str]:
    """Sentences on the symptom count, the sleep rule and caseness (section 2)."""
    phrases = [_PHRASES[key[3:]] for key in result.counted_items]
    listed = f": {', '.join(phrases)}" if phrases else ""
    lines = [
        f"{result.symptom_count} of {len(spec.symptoms)} symptoms counted "
        f"(cut-off {SYMPTOM_CUTOFF}){listed}."
    ]
    if answers[f"{spec.prefix}_sleep_trouble"] is True and (
        f"{spec.prefix}_sleep_trouble" not in result.counted_items
    ):
        key = f"{spec.prefix}_sleep_frequency"
        value = answers[key]
        how = "not answered" if value is None else f"'{_label(key, value)}'"
        lines.append(
            f"Trouble falling asleep not counted: frequency {how}; "
            "it counts only every night or nearly every night."
        )
    if result.major_depression:
        lines.append(f"Meets the major-depression criterion ({SYMPTOM_CUTOFF} or more symptoms).")
    else:
        short = SYMPTOM_CUTOFF - result.symptom_count
        lines.append(
            f"Does not meet the major-depression criterion: {short} symptom(s) short of the cut-off."
        )
    return lines


def _ignored(spec: PathSpec | None, answers: Answers) -> list[str]:
    """Answered keys off the entered path, which the study result ignores (section 3, item 4)."""
    if spec is PATH_A:
        scope = {key for key, item in ITEMS.items() if item.section == Section.DEPRESSED_AFFECT}
    else:
        scope = set(PATH_A.stems + PATH_B.stems)
        if spec is PATH_B:
            scope |= {key for key, item in ITEMS.items() if item.section == Section.ANHEDONIA}
    return [key for key in ANSWER_KEYS[1:] if key not in scope and answers[key] is not None]


def explain(answers: Answers, result: Result) -> list[str]:
    """Plain-English sentences on which answers met or failed which rule (sections 1-4)."""
    clean = validate(answers)
    lines = [_explain_back_pain(clean[BACKACHE]), _explain_stems(PATH_A, clean)]
    spec, _ = _entered(clean)
    if spec is not PATH_A:
        lines.append(_explain_stems(PATH_B, clean))
    if spec is None:
        lines.append("Does not meet the major-depression criterion: neither path was entered.")
    else:
        lines += _explain_symptoms(spec, clean, result)
    ignored = _ignored(spec, clean)
    if ignored:
        lines.append(
            f"{len(ignored)} answer(s) off the entered path ignored, as only that path is scored: "
            f"{', '.join(_question(key) for key in ignored)}."
        )
    for path in (PATH_A, PATH_B):
        if clean[path.stems[0]] == Stem.ON_ANTIDEPRESSANTS:
            lines.append(
                f"Anti-depressant use volunteered at {path.letter}1: that stem fails; "
                "recorded for the clinician."
            )
    if result.safety_flag:
        lines.append(
            "Thought a lot about death during the two weeks: SAFETY flag. Assess suicide risk "
            "directly with a validated instrument; crisis line 988 (US). "
            "The study result is unchanged."
        )
    return lines


def _read_cases(source: str) -> list[object]:
    """The JSON list in a file, or in stdin for `-`; raises OSError or ValueError (section 7)."""
    cases = read_json(source)
    if not isinstance(cases, list):
        raise ValueError("expected a JSON list of answer sets (objects)")
    return cases


def _classify_case(index: int, case: object) -> dict[str, bool | int | str | None]:
    """One case's result as a dict; raises ValueError naming the case index and key."""
    if not isinstance(case, dict):
        raise ValueError(f"case {index}: expected an object, got {type(case).__name__}")
    try:
        return classify(case).as_dict()
    except InvalidAnswers as error:
        raise ValueError(f"case {index}: {error}") from error


def main(argv: list[str] | None = None) -> int:
    """Classify a JSON list of answer sets and print a JSON list of results; 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m screening.criteria",
        description=f"Classify answer sets by the study's criteria (version {CRITERIA_VERSION}).",
    )
    parser.add_argument("file", help="JSON file holding a list of answer sets, or - for stdin")
    source = parser.parse_args(argv).file
    try:
        cases = _read_cases(source)
        results = [_classify_case(index, case) for index, case in enumerate(cases)]
    except OSError as error:
        print(f"{parser.prog}: cannot read {source}: {error.strerror}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
