"""The screening questionnaire, defined once: item keys, MIDUS codes, wording, answer choices with
their codes and labels, sections, the skip logic's gates and the covariates (CRITERIA.md sections
1, 2, 5 and 7).

Standard library only. The study's rules (criteria.py), the visit table's fields and constraints,
the form and the browser's skip logic, the export column dictionary, the FHIR CodeSystems and
Questionnaire, and docs/criteria.md all derive from what is written here, and a test checks each.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

Choices = tuple[tuple[str, str], ...]


class Choice(StrEnum):
    """An answer code (CRITERIA.md section 7) with the label the questionnaire shows for it."""

    label: str

    def __new__(cls, value: str, label: str) -> Choice:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> Choices:
        """(code, label) pairs in questionnaire order."""
        return tuple((member.value, member.label) for member in cls)


_DONT_KNOW = "Don't know"
_REFUSED = "Refused"


class BackacheFreq(Choice):
    """Backache frequency in the past 30 days, B1SA10B (CRITERIA.md section 1)."""

    ALMOST_EVERY_DAY = "almost_every_day", "Almost every day"
    SEVERAL_TIMES_A_WEEK = "several_times_a_week", "Several times a week"
    ONCE_A_WEEK = "once_a_week", "Once a week"
    SEVERAL_TIMES_A_MONTH = "several_times_a_month", "Several times a month"
    ONCE_A_MONTH = "once_a_month", "Once a month"
    NOT_AT_ALL = "not_at_all", "Not at all"
    REFUSED = "refused", _REFUSED


class Stem(Choice):
    """Answers to the A1/B1 stem questions (CRITERIA.md section 2)."""

    YES = "yes", "Yes"
    NO = "no", "No"
    ON_ANTIDEPRESSANTS = "on_antidepressants", "Was on anti-depressants (volunteered)"
    DONT_KNOW = "dont_know", _DONT_KNOW
    REFUSED = "refused", _REFUSED


class Duration(Choice):
    """How long the feelings usually lasted, A2/B2 (CRITERIA.md section 2)."""

    ALL_DAY_LONG = "all_day_long", "All day long"
    MOST_OF_THE_DAY = "most_of_the_day", "Most of the day"
    ABOUT_HALF_THE_DAY = "about_half_the_day", "About half the day"
    LESS_THAN_HALF_THE_DAY = "less_than_half_the_day", "Less than half the day"
    DONT_KNOW = "dont_know", _DONT_KNOW
    REFUSED = "refused", _REFUSED


class Frequency(Choice):
    """How often during those two weeks, A3/B3 (CRITERIA.md section 2)."""

    EVERY_DAY = "every_day", "Every day"
    ALMOST_EVERY_DAY = "almost_every_day", "Almost every day"
    LESS_OFTEN = "less_often", "Less often than that"
    DONT_KNOW = "dont_know", _DONT_KNOW
    REFUSED = "refused", _REFUSED


class SleepFrequency(Choice):
    """How often trouble falling asleep happened (CRITERIA.md section 2, sleep rule)."""

    EVERY_NIGHT = "every_night", "Every night"
    NEARLY_EVERY_NIGHT = "nearly_every_night", "Nearly every night"
    LESS_OFTEN = "less_often", "Less often than that"
    DONT_KNOW = "dont_know", _DONT_KNOW
    REFUSED = "refused", _REFUSED


BACKACHE_CHOICES: Choices = BackacheFreq.choices()
STEM_CHOICES: Choices = Stem.choices()
DURATION_CHOICES: Choices = Duration.choices()
FREQUENCY_CHOICES: Choices = Frequency.choices()
SLEEP_FREQUENCY_CHOICES: Choices = SleepFrequency.choices()


class Section(StrEnum):
    """The questionnaire's parts, in order; the two depression paths of CRITERIA.md section 2."""

    BACK_PAIN = "back_pain"
    DEPRESSED_AFFECT = "depressed_affect"
    ANHEDONIA = "anhedonia"


SECTION_TITLES = {
    Section.BACK_PAIN: "Back pain",
    Section.DEPRESSED_AFFECT: "Depression screen: depressed affect (path A)",
    Section.ANHEDONIA: "Depression screen: loss of interest (path B)",
}


@dataclass(frozen=True)
class Item:
    """One questionnaire item: its answer key, MIDUS II code, wording and options (section 7)."""

    key: str
    midus: str
    text: str
    choices: Choices | None  # None: a yes/no item answered True/False
    section: Section


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


def _symptom_items(prefix: str, section: Section, codes: tuple[str, ...]) -> list[Item]:
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
        Section.BACK_PAIN,
    ),
    Item(
        "da_sad_2wk",
        "B1PA60",
        "During the past 12 months, was there ever a time when you felt sad, blue, or depressed "
        "for two weeks or more in a row?",
        STEM_CHOICES,
        Section.DEPRESSED_AFFECT,
    ),
    Item(
        "da_duration",
        "B1PA61",
        "How long did these feelings usually last?",
        DURATION_CHOICES,
        Section.DEPRESSED_AFFECT,
    ),
    Item(
        "da_frequency",
        "B1PA62",
        "How often did you feel this way during those two weeks?",
        FREQUENCY_CHOICES,
        Section.DEPRESSED_AFFECT,
    ),
    *_symptom_items(
        "da",
        Section.DEPRESSED_AFFECT,
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
        Section.ANHEDONIA,
    ),
    Item(
        "an_duration",
        "B1PA73",
        "How long did the loss of interest usually last?",
        DURATION_CHOICES,
        Section.ANHEDONIA,
    ),
    Item(
        "an_frequency",
        "B1PA74",
        "How often did you feel this way during those two weeks?",
        FREQUENCY_CHOICES,
        Section.ANHEDONIA,
    ),
    *_symptom_items(
        "an",
        Section.ANHEDONIA,
        ("B1PA75", "B1PA76", "B1PA76A", "B1PA77", "B1PA77A", "B1PA78", "B1PA79", "B1PA80"),
    ),
]

ITEMS: dict[str, Item] = {item.key: item for item in _ITEM_LIST}
ANSWER_KEYS: tuple[str, ...] = tuple(ITEMS)
BACKACHE = "backache_freq_30d"  # asked of everyone
DEATH_ITEMS = ("da_death_thoughts", "an_death_thoughts")  # the safety item (section 4)


@dataclass(frozen=True)
class FollowUp:
    """An item asked only after another item got a given answer (section 2)."""

    key: str
    after: str
    when: bool


@dataclass(frozen=True)
class PathSpec:
    """One CIDI-SF path: its three stems with the answers that let the interview go on, its
    symptoms and their follow-ups (CRITERIA.md section 2)."""

    section: Section
    letter: str
    prefix: str
    stems: tuple[str, str, str]
    passing: tuple[frozenset[str], frozenset[str], frozenset[str]]
    symptoms: tuple[str, ...]
    followups: tuple[FollowUp, ...]

    def number(self, key: str) -> str:
        """A stem's number as the interview says it (A1, B3), or '' for any other item."""
        return f"{self.letter}{self.stems.index(key) + 1}" if key in self.stems else ""


# A stem passes only on these answers; any other, or none, ends the path (section 2 and
# section 3, items 1 and 2: "about half the day" and volunteered anti-depressants fail).
_PASSING = (
    frozenset({Stem.YES.value}),
    frozenset({Duration.ALL_DAY_LONG.value, Duration.MOST_OF_THE_DAY.value}),
    frozenset({Frequency.EVERY_DAY.value, Frequency.ALMOST_EVERY_DAY.value}),
)


def _path(section: Section, letter: str, prefix: str, stem: str, symptoms: list[str]) -> PathSpec:
    return PathSpec(
        section=section,
        letter=letter,
        prefix=prefix,
        stems=(stem, f"{prefix}_duration", f"{prefix}_frequency"),
        passing=_PASSING,
        symptoms=tuple(f"{prefix}_{name}" for name in symptoms),
        followups=(
            FollowUp(f"{prefix}_appetite_increased", after=f"{prefix}_appetite_lost", when=False),
            FollowUp(f"{prefix}_sleep_frequency", after=f"{prefix}_sleep_trouble", when=True),
        ),
    )


_SYMPTOMS = ["tired", "appetite_lost", "sleep_trouble", "concentration", "worthless"]
PATH_A = _path(
    Section.DEPRESSED_AFFECT,
    "A",
    "da",
    "da_sad_2wk",
    ["lost_interest", *_SYMPTOMS, "death_thoughts"],
)
# Path B is asked only when path A was not entered; its stem is the loss of interest.
PATH_B = _path(Section.ANHEDONIA, "B", "an", "an_lost_interest_2wk", [*_SYMPTOMS, "death_thoughts"])
PATHS = (PATH_A, PATH_B)


class Concern(Choice):
    """Why the patient came today, as the clinician records it."""

    BACK_PAIN = "back_pain", "Back pain"
    LOW_MOOD = "low_mood", "Low mood"
    BOTH = "both", "Both"
    OTHER = "other", "Other"


class Smoking(Choice):
    """Smoking, from ever and now a regular smoker (CRITERIA.md section 5)."""

    NEVER = "never", "Never a regular smoker"
    FORMER = "former", "Former regular smoker"
    CURRENT = "current", "Current regular smoker"


class Alcohol(Choice):
    """Drinking days in the past month (CRITERIA.md section 5)."""

    NONE = "none", "No drinks in the past month"
    UNDER_1_DAY = "lt_1_day_wk", "Less than 1 day a week"
    ONE_TO_FOUR = "1_4_days_wk", "1 to 4 days a week"
    FIVE_PLUS = "5_plus_days_wk", "5 or more days a week"


@dataclass(frozen=True)
class Covariate:
    """An optional question beside the screen (CRITERIA.md section 5): a choice, yes/no, or a
    measurement with the range a person can have."""

    key: str
    text: str
    midus: str = ""
    choices: Choices | None = None
    low: Decimal | None = None  # a measurement when set, with `high`
    high: Decimal | None = None

    @property
    def yes_no(self) -> bool:
        return self.choices is None and self.low is None


COVARIATES: dict[str, Covariate] = {
    covariate.key: covariate
    for covariate in (
        Covariate("presenting_concern", "Presenting concern", choices=Concern.choices()),
        Covariate("antidepressant_use", "Currently taking an antidepressant?"),
        Covariate(
            "regular_exercise",
            "Regular exercise (20 minutes or more, 3 or more times a week)?",
            midus="B1SA30/B1SA31",
        ),
        Covariate("smoking", "Smoking", midus="B1PA38A/B1PA39", choices=Smoking.choices()),
        Covariate(
            "alcohol", "Alcohol in the past month", midus="B1PA50/B1PA51", choices=Alcohol.choices()
        ),
        # the tallest and heaviest people on record, so a typo is caught but nobody is refused
        Covariate("height_cm", "Height (cm)", midus="B1SA37", low=Decimal(50), high=Decimal(272)),
        Covariate("weight_kg", "Weight (kg)", midus="B1SA39", low=Decimal(20), high=Decimal(650)),
    )
}
COVARIATE_KEYS: tuple[str, ...] = tuple(COVARIATES)
CovariateValue = str | bool | Decimal | None  # an answer to a covariate; None: not recorded


def _answers_cell(choices: Choices | None) -> str:
    if choices is None:
        return "Yes / No"
    return "<br>".join(f"`{code}` {label}" for code, label in choices)


def markdown_tables() -> str:
    """The items and covariates as the Markdown tables docs/criteria.md shows (a test compares)."""
    lines = [
        "| # | Answer key | MIDUS | Question | Answers |",
        "|---|---|---|---|---|",
    ]
    for key, item in ITEMS.items():
        number = next((spec.number(key) for spec in PATHS if spec.number(key)), "")
        lines.append(
            f"| {number} | `{key}` | {item.midus} | {item.text} | {_answers_cell(item.choices)} |"
        )
    lines += ["", "| Covariate | MIDUS | Question | Answers |", "|---|---|---|---|"]
    for key, covariate in COVARIATES.items():
        if covariate.low is not None:
            answers = f"{covariate.low} to {covariate.high}"
        else:
            answers = _answers_cell(covariate.choices)
        lines.append(f"| `{key}` | {covariate.midus or '-'} | {covariate.text} | {answers} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown_tables(), end="")
