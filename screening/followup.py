"""From a recorded instrument to what people see and decide (INSTRUMENTS.md section 4): which
instrument a flag kind asks for, the result in words, the banner a result needs, and the outcome
it suggests to the reviewer, who still chooses and writes the note.

Pure: flag kinds and outcomes are their stored codes (screening.models.FlagKind, FlagOutcome);
a test checks every code here is one of theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from screening.instruments import Instrument, phq9
from screening.instruments.asq import AsqRisk

# Each flag kind's instrument (INSTRUMENTS.md sections 1-3).
INSTRUMENT_FOR_KIND: dict[str, Instrument] = {
    "safety": Instrument.ASQ,
    "assess_depression": Instrument.PHQ9,
    "assess_back_pain": Instrument.LBP_PEG,
}

CONFIRMED = "confirmed_referred"  # "assessed, confirmed": referred is pre-selected [D]
NOT_PRESENT = "not_present"
SAFETY_ASSESSED = "safety_assessed"

ACUTE_HEADING = "Do not leave the patient alone: emergency evaluation now"
ACUTE_STEPS = (
    "Stay with the patient, or have a staff member stay, until the evaluation is done.",
    "Remove anything the patient could use to harm themselves (means), for example sharp "
    "objects, medications, belts and cords.",
    "Call for a STAT safety evaluation by a mental health clinician; if none can come now, call "
    "your emergency team or emergency services (911 in the US).",
    "Notify the reviewer on duty; the case stays open until the evaluation is documented.",
)
NON_ACUTE_HEADING = "A brief suicide safety assessment is needed before the patient leaves"
NON_ACUTE_STEPS = (
    "Do a brief suicide safety assessment (for example the NIMH ASQ toolkit's BSSA) before the "
    "patient leaves; the patient must not leave until it is done.",
    "Give the patient the 988 Suicide & Crisis Lifeline: call or text 988 (US), any time.",
    "Notify the reviewer on duty; the case stays open until the assessment is documented.",
)
PHQ9_SAFETY_HEADING = "PHQ-9 item 9: thoughts of death or self-harm were endorsed"
PHQ9_SAFETY_STEPS = (
    "Ask the ASQ now, before the patient leaves (a safety flag was raised or joined).",
    "If you believe the patient is at imminent risk, do not leave them alone: call your "
    "emergency team or emergency services (911 in the US).",
    "Give the patient the 988 Suicide & Crisis Lifeline: call or text 988 (US), any time.",
)


@dataclass(frozen=True)
class Banner:
    """An alert a result needs on every page that shows it; `acute` ones are unmissable."""

    code: str  # acute_positive, non_acute_positive or phq9_safety
    heading: str
    steps: tuple[str, ...]
    acute: bool


def banner(instrument: str, result: Mapping[str, object]) -> Banner | None:
    """The alert an ASQ positive or a PHQ-9 with item 9 endorsed needs, else None (sections 1-2)."""
    if instrument == Instrument.ASQ:
        if result.get("result") == AsqRisk.ACUTE_POSITIVE:
            return Banner(AsqRisk.ACUTE_POSITIVE.value, ACUTE_HEADING, ACUTE_STEPS, acute=True)
        if result.get("result") == AsqRisk.NON_ACUTE_POSITIVE:
            code = AsqRisk.NON_ACUTE_POSITIVE.value
            return Banner(code, NON_ACUTE_HEADING, NON_ACUTE_STEPS, acute=False)
        return None
    if instrument == Instrument.PHQ9 and result.get("safety"):
        return Banner("phq9_safety", PHQ9_SAFETY_HEADING, PHQ9_SAFETY_STEPS, acute=False)
    return None


def summary(instrument: str, result: Mapping[str, object]) -> str:
    """The result in one line, as the case page and the instrument page word it."""
    if instrument == Instrument.ASQ:
        return str(AsqRisk(str(result["result"])).label)
    if instrument == Instrument.PHQ9:
        band = phq9.Band(str(result["band"])).label.lower()
        cut = phq9.POSITIVE_CUTOFF
        verdict = f"positive (score {cut} or more)" if result["positive"] else f"below {cut}"
        mdd = "; diagnostic algorithm met" if result["mdd_algorithm"] else ""
        safety = "; item 9 endorsed" if result["safety"] else ""
        return f"Score {result['score']} of {phq9.MAX_SCORE} ({band}): {verdict}{mdd}{safety}"
    chronic = "chronic low back pain" if result["chronic"] else "not chronic low back pain"
    return f"{chronic.capitalize()}; PEG score {float(str(result['peg_score'])):.1f} of 10"


def suggested_outcome(kind: str, instrument: str, result: Mapping[str, object]) -> str | None:
    """The outcome code the case page pre-selects for a flag of `kind` measured by this result, or
    None (section 4): the flag's own instrument only; positive suggests "assessed, confirmed",
    negative "assessed, not present". For SAFETY a positive ASQ suggests nothing, since it never
    closes the flag by itself (the evaluation it calls for decides); a negative one suggests
    "suicide risk assessed", the safety flag's own "assessed, not present"."""
    if INSTRUMENT_FOR_KIND.get(kind) != instrument:
        return None
    if kind == "safety":
        return None if result["positive"] else SAFETY_ASSESSED
    return CONFIRMED if result["positive"] else NOT_PRESENT
