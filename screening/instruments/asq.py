"""The ASQ, NIMH Ask Suicide-Screening Questions, for SAFETY flags (INSTRUMENTS.md section 1).

Source: Horowitz et al. 2012, Arch Pediatr Adolesc Med 166(12):1170, and the NIMH ASQ toolkit
(public domain); validated in adult medical patients (Horowitz et al. 2020).
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.instruments.base import Answers, Question, validate
from screening.questionnaire import Choice

SOURCE = (
    "NIMH Ask Suicide-Screening Questions (ASQ): Horowitz et al. 2012, Arch Pediatr Adolesc Med "
    "166(12):1170; NIMH ASQ toolkit (public domain); adults: Horowitz et al. 2020"
)


class AsqAnswer(Choice):
    """An answer to any ASQ question (section 1)."""

    YES = "yes", "Yes"
    NO = "no", "No"
    REFUSED = "refused", "Refused to answer"


class AsqRisk(Choice):
    """The ASQ result (section 1), with what it asks of the clinician."""

    NEGATIVE = "negative", "Negative"
    NON_ACUTE_POSITIVE = (
        "non_acute_positive",
        "Non-acute positive: a brief suicide safety assessment before the patient leaves",
    )
    ACUTE_POSITIVE = (
        "acute_positive",
        "Acute positive: imminent risk; STAT safety evaluation, do not leave the patient alone",
    )


SCREEN_KEYS = ("asq_1", "asq_2", "asq_3", "asq_4")
ACUTE_KEY = "asq_5"
# The toolkit counts a refusal as positive; for question 5 a refusal is acute [D].
_POSITIVE_ANSWERS = (AsqAnswer.YES.value, AsqAnswer.REFUSED.value)
_SCREEN_POSITIVE = "when the screen is positive (yes or refused to any of asq_1 to asq_4)"

QUESTIONS: tuple[Question, ...] = tuple(
    Question(key, text, AsqAnswer.choices(), asked_when=when)
    for key, text, when in (
        ("asq_1", "In the past few weeks, have you wished you were dead?", None),
        (
            "asq_2",
            "In the past few weeks, have you felt that you or your family would be better off "
            "if you were dead?",
            None,
        ),
        ("asq_3", "In the past week, have you been having thoughts about killing yourself?", None),
        ("asq_4", "Have you ever tried to kill yourself?", None),
        ("asq_5", "Are you having thoughts of killing yourself right now?", _SCREEN_POSITIVE),
    )
)


def screen_positive(answers: Answers) -> bool:
    """Any of asq_1 to asq_4 answered yes or refused (section 1)."""
    return any(answers.get(key) in _POSITIVE_ANSWERS for key in SCREEN_KEYS)


def asked_items(answers: Answers) -> frozenset[str]:
    """The questions asked given the answers so far: asq_1 to asq_4 always, asq_5 exactly when
    the screen is positive (section 1)."""
    return frozenset(SCREEN_KEYS + ((ACUTE_KEY,) if screen_positive(answers) else ()))


@dataclass(frozen=True)
class AsqResult:
    """The ASQ's result; `positive` and `acute` follow from it (sections 1 and 5)."""

    result: AsqRisk

    @property
    def positive(self) -> bool:
        return self.result is not AsqRisk.NEGATIVE

    @property
    def acute(self) -> bool:
        return self.result is AsqRisk.ACUTE_POSITIVE

    def as_dict(self) -> dict[str, object]:
        """The three result keys of INSTRUMENTS.md section 5."""
        return {"result": self.result.value, "positive": self.positive, "acute": self.acute}


def score(answers: Answers) -> AsqResult:
    """Validate, then apply section 1 exactly: negative when asq_1 to asq_4 are all no, else
    acute_positive when asq_5 is yes or refused, else non_acute_positive; raises InvalidAnswers."""
    clean = validate(QUESTIONS, asked_items, answers)
    if not screen_positive(clean):
        return AsqResult(AsqRisk.NEGATIVE)
    if clean[ACUTE_KEY] in _POSITIVE_ANSWERS:
        return AsqResult(AsqRisk.ACUTE_POSITIVE)
    return AsqResult(AsqRisk.NON_ACUTE_POSITIVE)
