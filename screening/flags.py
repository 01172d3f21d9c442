"""Which flags a classification raises, and how urgent each is (DESIGN.md "Flag rules")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from screening.criteria import (
    SYMPTOM_CUTOFF,
    Path,
    Result,
    back_pain_near_threshold,
    depression_near_threshold,
)
from screening.instruments import phq9
from screening.questionnaire import (
    BACKACHE,
    ITEMS,
)
from screening.study import BACK_PAIN_FINDING, DEPRESSION_FINDING


class FlagKind(StrEnum):
    """What the flag asks a clinician to do."""

    ASSESS_DEPRESSION = "assess_depression"
    ASSESS_BACK_PAIN = "assess_back_pain"
    SAFETY = "safety"


class Priority(IntEnum):
    """Queue order: a higher value is seen first."""

    ROUTINE = 1
    RAISED = 2  # the other condition is near its threshold
    COMORBID = 3  # both criteria met
    URGENT = 4  # safety


@dataclass(frozen=True)
class FlagSpec:
    """A flag to open (or attach to), with the finding that justifies it."""

    kind: FlagKind
    priority: Priority
    reason: str


SAFETY_REASON = (
    "thought a lot about death during the 2-week period; the item covers death in general and is "
    "not a suicide question, so this needs a direct suicide-risk assessment with a validated "
    "instrument; crisis line 988 (US)"
)


def _priority(*, comorbid: bool, near: bool) -> Priority:
    """COMORBID when both criteria are met, else RAISED when the other is near threshold."""
    if comorbid:
        return Priority.COMORBID
    return Priority.RAISED if near else Priority.ROUTINE


def _depression_reason(answers: Mapping[str, object], result: Result) -> str:
    """Why a patient with back pain should be assessed for depression: the patient's finding,
    why the priority rose, then what the study found (study.BACK_PAIN_FINDING)."""
    frequency = dict(ITEMS[BACKACHE].choices or ())[str(answers.get(BACKACHE))].lower()
    finding = f"back pain {frequency} in the past 30 days"
    if result.major_depression:
        finding += "; comorbid: the major-depression criterion is also met"
    elif depression_near_threshold(result):
        finding += (
            f"; raised: depression screen {result.symptom_count} symptoms, "
            f"one short of the cut-off of {SYMPTOM_CUTOFF}"
        )
    return f"{finding}; {BACK_PAIN_FINDING.text()}"


def _back_pain_reason(answers: Mapping[str, object], result: Result) -> str:
    """Why a patient with major depression should be assessed for back pain: the patient's
    finding, why the priority rose, then what the study found (study.DEPRESSION_FINDING)."""
    path = "depressed-affect" if result.path is Path.DEPRESSED_AFFECT else "anhedonia"
    finding = (
        f"major depression on the {path} path, {result.symptom_count} symptoms "
        f"(cut-off {SYMPTOM_CUTOFF})"
    )
    if result.back_pain:
        finding += "; comorbid: the back-pain criterion is also met"
    elif back_pain_near_threshold(answers):
        finding += "; raised: backaches once a week, one step short of the back-pain criterion"
    return f"{finding}; {DEPRESSION_FINDING.text()}"


def flags_for(answers: Mapping[str, object], result: Result) -> tuple[FlagSpec, ...]:
    """The flags `result` (classified from `answers`) raises, SAFETY first (DESIGN.md)."""
    flags: list[FlagSpec] = []
    if result.safety_flag:
        flags.append(FlagSpec(FlagKind.SAFETY, Priority.URGENT, SAFETY_REASON))
    comorbid = result.back_pain and result.major_depression
    if result.back_pain:
        priority = _priority(comorbid=comorbid, near=depression_near_threshold(result))
        reason = _depression_reason(answers, result)
        flags.append(FlagSpec(FlagKind.ASSESS_DEPRESSION, priority, reason))
    if result.major_depression:
        priority = _priority(comorbid=comorbid, near=back_pain_near_threshold(answers))
        reason = _back_pain_reason(answers, result)
        flags.append(FlagSpec(FlagKind.ASSESS_BACK_PAIN, priority, reason))
    return tuple(flags)


def merge_priority(existing: Priority, new: Priority) -> Priority:
    """The priority of an open flag when a later visit attaches to it: the higher one wins."""
    return max(existing, new)


PHQ9_SAFETY_REASON = (
    "PHQ-9 item 9 (thoughts that you would be better off dead, or of hurting yourself) answered "
    "{answer}; this needs a direct suicide-risk assessment with a validated instrument (the ASQ) "
    "before the patient leaves; crisis line 988 (US)"
)


def flags_for_instrument(
    instrument: str, result: Mapping[str, object], item_9: object
) -> tuple[FlagSpec, ...]:
    """The flags a recorded instrument raises: a PHQ-9 with item 9 at 1 or more raises (or joins)
    SAFETY, urgent, exactly as a thoughts-of-death answer does (INSTRUMENTS.md section 2)."""
    if instrument != "phq9" or not result.get("safety"):
        return ()
    answer = phq9.Frequency(int(str(item_9))).label.lower()
    return (FlagSpec(FlagKind.SAFETY, Priority.URGENT, PHQ9_SAFETY_REASON.format(answer=answer)),)
