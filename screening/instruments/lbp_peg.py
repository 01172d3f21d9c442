"""Chronic low back pain and the PEG, for ASSESS_BACK_PAIN flags (INSTRUMENTS.md section 3).

Sources: chronicity, the two questions of the NIH Task Force on Research Standards for Chronic
Low Back Pain (Deyo et al. 2014, J Pain 15(6):569); PEG, Krebs et al. 2009, J Gen Intern Med
24(6):733 (public domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from screening.instruments.base import Answers, Question, validate
from screening.questionnaire import Choice

SOURCE = (
    "Chronic low back pain: NIH Task Force, Deyo et al. 2014, J Pain 15(6):569; "
    "PEG: Krebs et al. 2009, J Gen Intern Med 24(6):733"
)


class LbpDuration(Choice):
    """How long low-back pain has been an ongoing problem (lbp_duration)."""

    LT_1_MONTH = "lt_1_month", "Less than 1 month"
    ONE_TO_3_MONTHS = "1_3_months", "1-3 months"
    THREE_TO_6_MONTHS = "3_6_months", "3-6 months"
    SIX_TO_12_MONTHS = "6_12_months", "6 months-1 year"
    ONE_TO_5_YEARS = "1_5_years", "1-5 years"
    GT_5_YEARS = "gt_5_years", "More than 5 years"


class LbpFrequency(Choice):
    """How often low-back pain has been an ongoing problem over the past 6 months."""

    EVERY_DAY_OR_NEARLY = "every_day_or_nearly", "Every day or nearly every day"
    AT_LEAST_HALF_THE_DAYS = "at_least_half_the_days", "At least half the days"
    LESS_THAN_HALF_THE_DAYS = "less_than_half_the_days", "Less than half the days"


# The Task Force definition [V]: an ongoing problem for 3 months or more, on at least half the
# days of the past 6 months.
CHRONIC_DURATIONS = frozenset(
    {
        LbpDuration.THREE_TO_6_MONTHS,
        LbpDuration.SIX_TO_12_MONTHS,
        LbpDuration.ONE_TO_5_YEARS,
        LbpDuration.GT_5_YEARS,
    }
)
CHRONIC_FREQUENCIES = frozenset(
    {LbpFrequency.EVERY_DAY_OR_NEARLY, LbpFrequency.AT_LEAST_HALF_THE_DAYS}
)
PEG_KEYS = ("peg_pain", "peg_enjoyment", "peg_activity")
PEG_MAX = 10
# The PEG has no diagnostic cut-off; a 30% drop is a meaningful improvement [V] (Krebs 2009).
PEG_MEANINGFUL_DROP = Decimal("0.30")


def _scale(low: str, high: str) -> tuple[tuple[int, str], ...]:
    """0 to 10 with the two anchors the PEG shows at its ends."""
    return tuple(
        (n, {0: f"0 {low}", PEG_MAX: f"{PEG_MAX} {high}"}.get(n, str(n)))
        for n in range(PEG_MAX + 1)
    )


_INTERFERES = ("Does not interfere", "Completely interferes")
QUESTIONS: tuple[Question, ...] = (
    Question(
        "lbp_duration",
        "How long has low-back pain been an ongoing problem for you?",
        LbpDuration.choices(),
    ),
    Question(
        "lbp_frequency",
        "How often has low-back pain been an ongoing problem for you over the past 6 months?",
        LbpFrequency.choices(),
    ),
    Question(
        "peg_pain",
        "What number best describes your pain on average in the past week?",
        _scale("No pain", "Pain as bad as you can imagine"),
    ),
    Question(
        "peg_enjoyment",
        "What number best describes how, during the past week, pain has interfered with your "
        "enjoyment of life?",
        _scale(*_INTERFERES),
    ),
    Question(
        "peg_activity",
        "What number best describes how, during the past week, pain has interfered with your "
        "general activity?",
        _scale(*_INTERFERES),
    ),
)


def asked_items(answers: Answers) -> frozenset[str]:
    """All five questions, whatever the answers (section 3)."""
    return frozenset(question.key for question in QUESTIONS)


def peg_score(pain: int, enjoyment: int, activity: int) -> Decimal:
    """The mean of the three PEG items, rounded half up to one decimal (section 3)."""
    mean = Decimal(pain + enjoyment + activity) / 3
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LbpPegResult:
    """Chronic low back pain, the PEG score, and positive = chronic (sections 3 and 5)."""

    chronic: bool
    peg_score: Decimal

    @property
    def positive(self) -> bool:
        return self.chronic  # [D]: the PEG has no cut-off, so chronicity decides

    def as_dict(self) -> dict[str, object]:
        """The three result keys of INSTRUMENTS.md section 5; peg_score a number, one decimal."""
        return {
            "chronic": self.chronic,
            "peg_score": float(self.peg_score),
            "positive": self.positive,
        }


def score(answers: Answers) -> LbpPegResult:
    """Validate (all five required), then apply section 3 exactly; raises InvalidAnswers."""
    clean = validate(QUESTIONS, asked_items, answers)
    pain, enjoyment, activity = (int(clean[key] or 0) for key in PEG_KEYS)
    return LbpPegResult(
        chronic=clean["lbp_duration"] in CHRONIC_DURATIONS
        and clean["lbp_frequency"] in CHRONIC_FREQUENCIES,
        peg_score=peg_score(pain, enjoyment, activity),
    )
