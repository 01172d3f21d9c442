"""Is the patient getting better: PHQ-9 and PEG followed from their first score (issue 16, point 6).

Each later score is compared with the patient's first: PHQ-9 response is a drop of 50% or more,
remission a score under 5 (the collaborative-care registries' measures); a PEG change of 30% or
more is meaningful (INSTRUMENTS.md section 3: a 30% drop is a meaningful improvement [V]; a rise
as large is marked too, as meaningful worsening). Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from screening.instruments.lbp_peg import PEG_MEANINGFUL_DROP

PHQ9_RESPONSE_DROP = Decimal("0.50")  # down 50% or more from the first score
PHQ9_REMISSION_BELOW = 5  # a score under 5

RESPONSE = "response"
REMISSION = "remission"
MEANINGFUL_IMPROVEMENT = "meaningful improvement"
MEANINGFUL_WORSENING = "meaningful worsening"
MARKS = (RESPONSE, REMISSION, MEANINGFUL_IMPROVEMENT, MEANINGFUL_WORSENING)


@dataclass(frozen=True)
class Followed:
    """One score beside the first: its change and what it marks."""

    score: Decimal
    first: bool  # the score every later one is compared with
    change: Decimal | None  # (score - first score) / first score; None for the first or from 0
    marks: tuple[str, ...]

    @property
    def change_label(self) -> str:
        """'baseline', '-52%', '+30%', '0%', or 'n/a' when the first score was 0."""
        if self.first:
            return "baseline"
        if self.change is None:
            return "n/a"
        percent = (self.change * 100).quantize(Decimal("1"))
        return f"{'+' if percent > 0 else ''}{percent}%"


def _change(score: Decimal, first: Decimal) -> Decimal | None:
    return None if first == 0 else (score - first) / first


def follow_phq9(scores: Sequence[int]) -> list[Followed]:
    """PHQ-9 totals, oldest first, each marked with response and remission after the first."""
    if not scores:
        return []
    first = Decimal(scores[0])
    followed = [Followed(first, first=True, change=None, marks=())]
    for value in scores[1:]:
        score = Decimal(value)
        change = _change(score, first)
        marks = []
        if change is not None and change <= -PHQ9_RESPONSE_DROP:
            marks.append(RESPONSE)
        if score < PHQ9_REMISSION_BELOW:
            marks.append(REMISSION)
        followed.append(Followed(score, first=False, change=change, marks=tuple(marks)))
    return followed


def follow_peg(scores: Sequence[Decimal]) -> list[Followed]:
    """PEG scores, oldest first, each later one marked when it moved 30% or more from the first."""
    if not scores:
        return []
    first = scores[0]
    followed = [Followed(first, first=True, change=None, marks=())]
    for score in scores[1:]:
        change = _change(score, first)
        marks: tuple[str, ...] = ()
        if change is not None and change <= -PEG_MEANINGFUL_DROP:
            marks = (MEANINGFUL_IMPROVEMENT,)
        elif change is not None and change >= PEG_MEANINGFUL_DROP:
            marks = (MEANINGFUL_WORSENING,)
        followed.append(Followed(score, first=False, change=change, marks=marks))
    return followed
