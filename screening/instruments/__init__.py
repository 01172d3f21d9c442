"""The follow-up instruments a clinician records against a flag: ASQ, PHQ-9, and chronic low
back pain with the PEG, scored exactly as INSTRUMENTS.md says (sections 1-3 and 5).

Standard library only, versioned by RULES_VERSION like criteria's CRITERIA_VERSION. Each
instrument's questions, skip rule, cut-points and sources are written once in its module, for
forms, models, exports and FHIR to derive from. `python -m screening.instruments FILE.json` (or `-`)
scores a JSON list of `{"instrument": ..., "answers": {...}}` (section 5).
"""

from __future__ import annotations

from collections.abc import Callable

from screening.instruments import asq, lbp_peg, phq9
from screening.instruments.asq import AsqAnswer, AsqResult, AsqRisk
from screening.instruments.base import (
    RULES_VERSION,
    Answers,
    Clean,
    Code,
    InvalidAnswers,
    Question,
)
from screening.instruments.lbp_peg import LbpDuration, LbpFrequency, LbpPegResult
from screening.instruments.phq9 import Band, Difficulty, Frequency, Phq9Result
from screening.questionnaire import Choice

__all__ = [
    "QUESTIONS",
    "RULES_VERSION",
    "Answers",
    "AsqAnswer",
    "AsqResult",
    "AsqRisk",
    "Band",
    "Clean",
    "Code",
    "Difficulty",
    "Frequency",
    "Instrument",
    "InvalidAnswers",
    "LbpDuration",
    "LbpFrequency",
    "LbpPegResult",
    "Phq9Result",
    "Question",
    "Result",
    "asked_items",
    "asq",
    "lbp_peg",
    "phq9",
    "score",
]


class Instrument(Choice):
    """The instruments, by the code the interchange format uses (section 5)."""

    ASQ = "asq", "ASQ (Ask Suicide-Screening Questions)"
    PHQ9 = "phq9", "PHQ-9"
    LBP_PEG = "lbp_peg", "Chronic low back pain and PEG"


Result = AsqResult | Phq9Result | LbpPegResult

QUESTIONS: dict[Instrument, tuple[Question, ...]] = {
    Instrument.ASQ: asq.QUESTIONS,
    Instrument.PHQ9: phq9.QUESTIONS,
    Instrument.LBP_PEG: lbp_peg.QUESTIONS,
}
_ASKED: dict[Instrument, Callable[[Answers], frozenset[str]]] = {
    Instrument.ASQ: asq.asked_items,
    Instrument.PHQ9: phq9.asked_items,
    Instrument.LBP_PEG: lbp_peg.asked_items,
}
_SCORE: dict[Instrument, Callable[[Answers], Result]] = {
    Instrument.ASQ: asq.score,
    Instrument.PHQ9: phq9.score,
    Instrument.LBP_PEG: lbp_peg.score,
}


def asked_items(instrument: Instrument, answers: Answers) -> frozenset[str]:
    """The keys the instrument's skip rule asks given the answers so far (sections 1-3)."""
    return _ASKED[instrument](answers)


def score(instrument: Instrument, answers: Answers) -> Result:
    """The instrument's result for validated answers; raises InvalidAnswers naming the key."""
    return _SCORE[instrument](answers)
