"""What the three instruments share (INSTRUMENTS.md): the rules version, a question with the
answers it allows and when it is asked, and the one validation every instrument's answers pass.

Standard library only, like screening.criteria.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Stored with every recorded instrument, like CRITERIA_VERSION: a change to any rule, key or
# cut-point of INSTRUMENTS.md is a new version.
RULES_VERSION: str = "2026.1"

Code = str | int
Answers = Mapping[str, object]
Clean = dict[str, Code | None]


class InvalidAnswers(ValueError):
    """Answers an instrument refuses; `key` names the answer at fault (INSTRUMENTS.md section 5)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Question:
    """One question: its answer key, wording, the answers it allows as (code, label) pairs, when
    it is asked (None: always) and whether an asked question must be answered."""

    key: str
    text: str
    choices: tuple[tuple[Code, str], ...]
    asked_when: str | None = None  # the skip rule in words, e.g. "when any item is above 0"
    required: bool = True
    loinc: str = ""  # the item's LOINC code, where LOINC has the item

    @property
    def codes(self) -> tuple[Code, ...]:
        return tuple(code for code, _ in self.choices)

    def checked(self, value: object) -> Code | None:
        """The plain code `value` stands for, None for None; InvalidAnswers if not allowed."""
        if value is None:
            return None
        for code in self.codes:
            # bool is an int to Python, never an answer here; an enum member is its code
            if isinstance(value, type(code)) and not isinstance(value, bool) and value == code:
                return code
        raise InvalidAnswers(
            self.key, f"invalid value {value!r}: expected {self.expected()} or null"
        )

    def expected(self) -> str:
        """The allowed answers in words, for error messages."""
        codes = self.codes
        if isinstance(codes[0], int):
            return f"an integer from {codes[0]} to {codes[-1]}"
        return f"one of {', '.join(map(str, codes))}"


def validate(
    questions: tuple[Question, ...],
    asked_items: Callable[[Answers], frozenset[str]],
    answers: Answers,
) -> Clean:
    """Every key of the instrument with its plain code (absent = None); raises InvalidAnswers
    naming the first key that is unknown, not allowed, asked and required but missing, or
    answered although the skip rule did not ask it (INSTRUMENTS.md sections 1-3 and 5)."""
    keys = [question.key for question in questions]
    for key in answers:
        if key not in keys:
            raise InvalidAnswers(key, f"unknown key; expected {', '.join(keys)}")
    clean = {question.key: question.checked(answers.get(question.key)) for question in questions}
    asked = asked_items(clean)
    for question in questions:
        value = clean[question.key]
        when = f" {question.asked_when}" if question.asked_when else ""
        if question.key not in asked and value is not None:
            # Never dropped in silence: an answer the rules would ignore is sent back instead.
            raise InvalidAnswers(question.key, f"asked only{when}; leave it null")
        if question.key in asked and value is None and question.required:
            raise InvalidAnswers(question.key, f"required{when}")
    return clean
