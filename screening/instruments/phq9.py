"""The PHQ-9, for ASSESS_DEPRESSION flags (INSTRUMENTS.md section 2).

Source: Kroenke, Spitzer, Williams 2001, J Gen Intern Med 16(9):606-613 (Pfizer; no permission
required to reproduce). Wording and LOINC codes as LHC-Forms' LOINC-coded PHQ-9 (panel 44249-1)
publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from screening.instruments.base import Answers, Question, validate
from screening.questionnaire import Choice

SOURCE = "PHQ-9: Kroenke, Spitzer, Williams 2001, J Gen Intern Med 16(9):606-613 (Pfizer)"
STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PANEL_LOINC = "44249-1"
TOTAL_LOINC = "44261-6"


class Frequency(IntEnum):
    """How often a problem bothered the patient: the item's score, label and LOINC answer."""

    label: str
    loinc: str

    def __new__(cls, value: int, label: str, loinc: str) -> Frequency:
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.loinc = loinc
        return member

    NOT_AT_ALL = 0, "Not at all", "LA6568-5"
    SEVERAL_DAYS = 1, "Several days", "LA6569-3"
    MORE_THAN_HALF = 2, "More than half the days", "LA6570-1"
    NEARLY_EVERY_DAY = 3, "Nearly every day", "LA6571-9"


class Difficulty(Choice):
    """How difficult the problems made daily life (phq9_difficulty; not scored)."""

    NOT_DIFFICULT = "not_difficult", "Not difficult at all"
    SOMEWHAT_DIFFICULT = "somewhat_difficult", "Somewhat difficult"
    VERY_DIFFICULT = "very_difficult", "Very difficult"
    EXTREMELY_DIFFICULT = "extremely_difficult", "Extremely difficult"


DIFFICULTY_LOINC = {
    Difficulty.NOT_DIFFICULT: "LA6572-7",
    Difficulty.SOMEWHAT_DIFFICULT: "LA6573-5",
    Difficulty.VERY_DIFFICULT: "LA6575-0",
    Difficulty.EXTREMELY_DIFFICULT: "LA6574-3",
}


class Band(Choice):
    """PHQ-9 severity bands (section 2 [V])."""

    MINIMAL = "minimal", "Minimal"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    MODERATELY_SEVERE = "moderately_severe", "Moderately severe"
    SEVERE = "severe", "Severe"


# Each band's lowest score; the highest score is 27 (section 2 [V]).
BAND_FLOORS: tuple[tuple[int, Band], ...] = (
    (0, Band.MINIMAL),
    (5, Band.MILD),
    (10, Band.MODERATE),
    (15, Band.MODERATELY_SEVERE),
    (20, Band.SEVERE),
)
MAX_SCORE = 27
POSITIVE_CUTOFF = 10  # the paper's cut-point for major depression [V]
# The diagnostic algorithm [V]: 5 of the 9 items at 2 or more, one of them item 1 or 2; item 9
# counts at 1 or more.
MDD_ITEMS_NEEDED = 5
MDD_ITEM_LEVEL = 2
SAFETY_LEVEL = 1  # item 9 at 1 or more raises or attaches to a SAFETY flag

_FREQUENCY_CHOICES = tuple((member.value, member.label) for member in Frequency)
_ITEMS = (
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself \N{EM DASH} or that you are a failure or have let yourself "
        "or your family down",
    ),
    (
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed. Or the opposite "
        "\N{EM DASH} being so fidgety or restless that you have been moving around a lot more "
        "than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead, or of hurting yourself in some way"),
)
ITEM_KEYS = tuple(f"phq9_{number}" for number in range(1, 10))
DIFFICULTY_KEY = "phq9_difficulty"
QUESTIONS: tuple[Question, ...] = (
    *(
        Question(key, text, _FREQUENCY_CHOICES, loinc=loinc)
        for key, (loinc, text) in zip(ITEM_KEYS, _ITEMS, strict=True)
    ),
    Question(
        DIFFICULTY_KEY,
        "How difficult have these problems made it for you to do your work, take care of things "
        "at home, or get along with other people?",
        Difficulty.choices(),
        asked_when="when any item is above 0",
        required=False,
        loinc="69722-7",
    ),
)


def _level(value: object) -> int:
    """An item's score, 0 for an unanswered or unscorable one (for the skip rule on raw input)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def asked_items(answers: Answers) -> frozenset[str]:
    """The nine items always, and phq9_difficulty when any item is above 0 (section 2)."""
    if any(_level(answers.get(key)) > 0 for key in ITEM_KEYS):
        return frozenset((*ITEM_KEYS, DIFFICULTY_KEY))
    return frozenset(ITEM_KEYS)


def band(score: int) -> Band:
    """The severity band of a total score from 0 to 27 (section 2)."""
    if not 0 <= score <= MAX_SCORE:
        raise ValueError(f"a PHQ-9 score is from 0 to {MAX_SCORE}, got {score}")
    return next(name for floor, name in reversed(BAND_FLOORS) if score >= floor)


def mdd_algorithm(levels: tuple[int, ...]) -> bool:
    """The diagnostic algorithm over the nine item scores in order (section 2)."""
    counted = [
        number
        for number, level in enumerate(levels, start=1)
        if level >= (SAFETY_LEVEL if number == 9 else MDD_ITEM_LEVEL)
    ]
    return len(counted) >= MDD_ITEMS_NEEDED and bool({1, 2} & set(counted))


@dataclass(frozen=True)
class Phq9Result:
    """The PHQ-9's five result keys (sections 2 and 5)."""

    score: int
    band: Band
    positive: bool
    mdd_algorithm: bool
    safety: bool

    def as_dict(self) -> dict[str, object]:
        """The five result keys of INSTRUMENTS.md section 5."""
        return {
            "score": self.score,
            "band": self.band.value,
            "positive": self.positive,
            "mdd_algorithm": self.mdd_algorithm,
            "safety": self.safety,
        }


def score(answers: Answers) -> Phq9Result:
    """Validate (all nine items required), then apply section 2 exactly; raises InvalidAnswers."""
    clean = validate(QUESTIONS, asked_items, answers)
    levels = tuple(_level(clean[key]) for key in ITEM_KEYS)
    total = sum(levels)
    return Phq9Result(
        score=total,
        band=band(total),
        positive=total >= POSITIVE_CUTOFF,
        mdd_algorithm=mdd_algorithm(levels),
        safety=levels[8] >= SAFETY_LEVEL,
    )
