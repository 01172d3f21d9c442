"""The study's back-pain and major-depression criteria (CRITERIA.md) as pure functions.

Standard library only, so the form, the batch classifier, exports and analytics share one copy.
`python -m screening.criteria FILE.json` (or `-` for stdin) classifies a JSON list of answer sets.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

CRITERIA_VERSION: str = "2026.1"
SYMPTOM_CUTOFF = 4

Answers = Mapping[str, object]
Choices = tuple[tuple[str, str], ...]


class Path(StrEnum):
    """Which CIDI-SF path a respondent entered (CRITERIA.md section 7)."""

    DEPRESSED_AFFECT = "depressed_affect"
    ANHEDONIA = "anhedonia"
    NONE = "none"


class BackacheFreq(StrEnum):
    """Backache frequency in the past 30 days, B1SA10B (CRITERIA.md section 1)."""

    ALMOST_EVERY_DAY = "almost_every_day"
    SEVERAL_TIMES_A_WEEK = "several_times_a_week"
    ONCE_A_WEEK = "once_a_week"
    SEVERAL_TIMES_A_MONTH = "several_times_a_month"
    ONCE_A_MONTH = "once_a_month"
    NOT_AT_ALL = "not_at_all"
    REFUSED = "refused"


class Stem(StrEnum):
    """Answers to the A1/B1 stem questions (CRITERIA.md section 2)."""

    YES = "yes"
    NO = "no"
    ON_ANTIDEPRESSANTS = "on_antidepressants"
    DONT_KNOW = "dont_know"
    REFUSED = "refused"


class Duration(StrEnum):
    """How long the feelings usually lasted, A2/B2 (CRITERIA.md section 2)."""

    ALL_DAY_LONG = "all_day_long"
    MOST_OF_THE_DAY = "most_of_the_day"
    ABOUT_HALF_THE_DAY = "about_half_the_day"
    LESS_THAN_HALF_THE_DAY = "less_than_half_the_day"
    DONT_KNOW = "dont_know"
    REFUSED = "refused"


class Frequency(StrEnum):
    """How often during those two weeks, A3/B3 (CRITERIA.md section 2)."""

    EVERY_DAY = "every_day"
    ALMOST_EVERY_DAY = "almost_every_day"
    LESS_OFTEN = "less_often"
    DONT_KNOW = "dont_know"
    REFUSED = "refused"


class SleepFrequency(StrEnum):
    """How often trouble falling asleep happened (CRITERIA.md section 2, sleep rule)."""

    EVERY_NIGHT = "every_night"
    NEARLY_EVERY_NIGHT = "nearly_every_night"
    LESS_OFTEN = "less_often"
    DONT_KNOW = "dont_know"
    REFUSED = "refused"


_DONT_KNOW = "Don't know"
_REFUSED = "Refused"

BACKACHE_CHOICES: Choices = (
    (BackacheFreq.ALMOST_EVERY_DAY.value, "Almost every day"),
    (BackacheFreq.SEVERAL_TIMES_A_WEEK.value, "Several times a week"),
    (BackacheFreq.ONCE_A_WEEK.value, "Once a week"),
    (BackacheFreq.SEVERAL_TIMES_A_MONTH.value, "Several times a month"),
    (BackacheFreq.ONCE_A_MONTH.value, "Once a month"),
    (BackacheFreq.NOT_AT_ALL.value, "Not at all"),
    (BackacheFreq.REFUSED.value, _REFUSED),
)
STEM_CHOICES: Choices = (
    (Stem.YES.value, "Yes"),
    (Stem.NO.value, "No"),
    (Stem.ON_ANTIDEPRESSANTS.value, "Was on anti-depressants (volunteered)"),
    (Stem.DONT_KNOW.value, _DONT_KNOW),
    (Stem.REFUSED.value, _REFUSED),
)
DURATION_CHOICES: Choices = (
    (Duration.ALL_DAY_LONG.value, "All day long"),
    (Duration.MOST_OF_THE_DAY.value, "Most of the day"),
    (Duration.ABOUT_HALF_THE_DAY.value, "About half the day"),
    (Duration.LESS_THAN_HALF_THE_DAY.value, "Less than half the day"),
    (Duration.DONT_KNOW.value, _DONT_KNOW),
    (Duration.REFUSED.value, _REFUSED),
)
FREQUENCY_CHOICES: Choices = (
    (Frequency.EVERY_DAY.value, "Every day"),
    (Frequency.ALMOST_EVERY_DAY.value, "Almost every day"),
    (Frequency.LESS_OFTEN.value, "Less often than that"),
    (Frequency.DONT_KNOW.value, _DONT_KNOW),
    (Frequency.REFUSED.value, _REFUSED),
)
SLEEP_FREQUENCY_CHOICES: Choices = (
    (SleepFrequency.EVERY_NIGHT.value, "Every night"),
    (SleepFrequency.NEARLY_EVERY_NIGHT.value, "Nearly every night"),
    (SleepFrequency.LESS_OFTEN.value, "Less often than that"),
    (SleepFrequency.DONT_KNOW.value, _DONT_KNOW),
    (SleepFrequency.REFUSED.value, _REFUSED),
)


@dataclass(frozen=True)
class Item:
    """One questionnaire item: its answer key, MIDUS II code, wording and options (section 7)."""

    key: str
    midus: str
    text: str
    choices: Choices | None  # None: a yes/no item answered True/False
    section: str  # "back_pain" | "depressed_affect" | "anhedonia"


_DURING = "During those two weeks, did you "
_SYMPTOM_TEXT = {
    "lost_interest": _DURING + "lose interest in most things?",
    "tired": _DURING + "feel more tired out or low on energy than is usual?",
    "appetite_lost": _DURING + "lose your appetite?",
    "appetite_increased": "Did your appetite increase?",
    "sleep_trouble": _DURING + "have more trouble falling asleep than usual?",
    "sleep_frequency": "How often did you have trouble falling asleep?",
    "concentration": _DURING + "have a lot more trouble concentrating than usual?",
    "worthless": _DURING + "feel down on yourself, no good, or worthless?",
    "death_thoughts": _DURING + "think a lot about death, either your own, someone else's, "
    "or death in general?",
}


def _symptom_items(prefix: str, section: str, codes: tuple[str, ...]) -> list[Item]:
    """The symptom items and their follow-ups of one path, in questionnaire order (section 2)."""
    # Path B's stem is the loss of interest, so it has no such symptom.
    names = [name for name in _SYMPTOM_TEXT if prefix == "da" or name != "lost_interest"]
    return [
        Item(
            key=f"{prefix}_{name}",
            midus=code,
            text=_SYMPTOM_TEXT[name],
            choices=SLEEP_FREQUENCY_CHOICES if name == "sleep_frequency" else None,
            section=section,
        )
        for name, code in zip(names, codes, strict=True)
    ]


_ITEM_LIST: list[Item] = [
    Item(
        "backache_freq_30d",
        "B1SA10B",
        "In the past 30 days, how often have you experienced backaches?",
        BACKACHE_CHOICES,
        "back_pain",
    ),
    Item(
        "da_sad_2wk",
        "B1PA60",
        "During the past 12 months, was there ever a time when you felt sad, blue, or depressed "
        "for two weeks or more in a row?",
        STEM_CHOICES,
        "depressed_affect",
    ),
    Item(
        "da_duration",
        "B1PA61",
        "How long did these feelings usually last?",
        DURATION_CHOICES,
        "depressed_affect",
    ),
    Item(
        "da_frequency",
        "B1PA62",
        "How often did you feel this way during those two weeks?",
        FREQUENCY_CHOICES,
        "depressed_affect",
    ),
    *_symptom_items(
        "da",
        "depressed_affect",
        (
            "B1PA63",
            "B1PA64",
            "B1PA65",
            "B1PA65A",
            "B1PA66",
            "B1PA66A",
            "B1PA67",
            "B1PA68",
            "B1PA69",
        ),
    ),
    Item(
        "an_lost_interest_2wk",
        "B1PA72",
        "During the past 12 months, was there ever a time lasting two weeks or more when you lost "
        "interest in most things like hobbies, work, or activities that usually give you pleasure?",
        STEM_CHOICES,
        "anhedonia",
    ),
    Item(
        "an_duration",
        "B1PA73",
        "How long did the loss of interest usually last?",
        DURATION_CHOICES,
        "anhedonia",
    ),
    Item(
        "an_frequency",
        "B1PA74",
        "How often did you feel this way during those two weeks?",
        FREQUENCY_CHOICES,
        "anhedonia",
    ),
    *_symptom_items(
        "an",
        "anhedonia",
        ("B1PA75", "B1PA76", "B1PA76A", "B1PA77", "B1PA77A", "B1PA78", "B1PA79", "B1PA80"),
    ),
]

ITEMS: dict[str, Item] = {item.key: item for item in _ITEM_LIST}
ANSWER_KEYS: tuple[str, ...] = tuple(ITEMS)

BACKACHE = "backache_freq_30d"
_BACK_PAIN_CODES = frozenset({BackacheFreq.ALMOST_EVERY_DAY, BackacheFreq.SEVERAL_TIMES_A_WEEK})
_PASSING = (
    frozenset({Stem.YES}),
    frozenset({Duration.ALL_DAY_LONG, Duration.MOST_OF_THE_DAY}),
    frozenset({Frequency.EVERY_DAY, Frequency.ALMOST_EVERY_DAY}),
)
_SLEEP_CODES = frozenset({SleepFrequency.EVERY_NIGHT, SleepFrequency.NEARLY_EVERY_NIGHT})


@dataclass(frozen=True)
class _PathSpec:
    """One CIDI-SF path: its three stem questions and its symptom questions (section 2)."""

    path: Path
    letter: str
    prefix: str
    stems: tuple[str, str, str]
    symptoms: tuple[str, ...]


PATH_A = _PathSpec(
    Path.DEPRESSED_AFFECT,
    "A",
    "da",
    ("da_sad_2wk", "da_duration", "da_frequency"),
    (
        "da_lost_interest",
        "da_tired",
        "da_appetite_lost",
        "da_sleep_trouble",
        "da_concentration",
        "da_worthless",
        "da_death_thoughts",
    ),
)
PATH_B = _PathSpec(
    Path.ANHEDONIA,
    "B",
    "an",
    ("an_lost_interest_2wk", "an_duration", "an_frequency"),
    (
        "an_tired",
        "an_appetite_lost",
        "an_sleep_trouble",
        "an_concentration",
        "an_worthless",
        "an_death_thoughts",
    ),
)
DEATH_ITEMS = ("da_death_thoughts", "an_death_thoughts")


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


def _stop(spec: _PathSpec, answers: Answers) -> str | None:
    """The first stem key without a qualifying answer, None when the path is entered (section 2)."""
    for key, passing in zip(spec.stems, _PASSING, strict=True):
        value = answers.get(key)
        if not (isinstance(value, str) and value in passing):
            return key
    return None


def _path_asked(spec: _PathSpec, answers: Answers) -> tuple[set[str], bool]:
    """Items of one path asked so far; True when a stem got a non-qualifying answer (section 2)."""
    stop = _stop(spec, answers)
    if stop is not None:
        asked = set(spec.stems[: spec.stems.index(stop) + 1])
        return asked, answers.get(stop) is not None
    asked = set(spec.stems) | set(spec.symptoms)
    if answers.get(f"{spec.prefix}_appetite_lost") is False:
        asked.add(f"{spec.prefix}_appetite_increased")
    if answers.get(f"{spec.prefix}_sleep_trouble") is True:
        asked.add(f"{spec.prefix}_sleep_frequency")
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


def _counted(spec: _PathSpec, answers: Answers) -> tuple[str, ...]:
    """The symptom keys that scored on one path; missing, DK or refused score 0 (section 2)."""
    return tuple(hit for key in spec.symptoms if (hit := _scores(key, answers)) is not None)


def _entered(answers: Answers) -> tuple[_PathSpec | None, str | None]:
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
        path=Path.NONE if spec is None else spec.path,
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
}


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


def _explain_stems(spec: _PathSpec, answers: Answers) -> str:
    """One sentence on whether a path was entered and, if not, where it failed (section 2)."""
    name = "Depressed-affect" if spec is PATH_A else "Anhedonia"
    stop = _stop(spec, answers)
    if stop is None:
        feeling = "sad" if spec is PATH_A else "lost interest"
        duration, frequency = (_label(key, answers[key]) for key in spec.stems[1:])
        return f"{name} path entered: {feeling} 2+ weeks, {duration}, {frequency}."
    value = answers.get(stop)
    why = "not answered" if value is None else f"'{_label(stop, value)}' does not qualify"
    where = f"{spec.letter}{spec.stems.index(stop) + 1}"
    if spec is PATH_A:
        return f"{name} path not entered at {where}: {why}; the anhedonia questions follow."
    return f"Interview ended at {where}: {why}."


def _explain_symptoms(spec: _PathSpec, answers: Answers, result: Result) -> list[str]:
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


def _ignored(spec: _PathSpec | None, answers: Answers) -> list[str]:
    """Answered keys off the entered path, which the study result ignores (section 3, item 4)."""
    if spec is PATH_A:
        scope = {key for key, item in ITEMS.items() if item.section == Path.DEPRESSED_AFFECT}
    else:
        scope = set(PATH_A.stems + PATH_B.stems)
        if spec is PATH_B:
            scope |= {key for key, item in ITEMS.items() if item.section == Path.ANHEDONIA}
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
            f"{', '.join(ignored)}."
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
    if source == "-":
        text = sys.stdin.read()
    else:
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
    try:
        cases = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error}") from error
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
