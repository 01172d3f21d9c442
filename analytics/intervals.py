"""Counts, shares and ratios with their 95% intervals, in plain Python (no pandas or NumPy), so
the page's templates and filters load without the model fitting of analytics.stats."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
# Cells of fewer patients than this are never shown, nor anything they could be derived from.
MIN_CELL = 11


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95% confidence interval."""

    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


def wilson(k: int, n: int) -> Interval:
    """The proportion k/n with its Wilson score 95% interval (good at small n and near 0 or 1)."""
    if n <= 0:
        raise ValueError("a proportion needs at least one patient")
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Proportion:
    """k of n patients; shown only when neither k nor n - k is a small cell."""

    k: int
    n: int

    @property
    def suppressed(self) -> bool:
        return self.k < MIN_CELL or self.n - self.k < MIN_CELL

    @property
    def interval(self) -> Interval | None:
        """The Wilson interval, or None when suppressed."""
        return None if self.suppressed else wilson(self.k, self.n)


def odds_ratio(a: int, b: int, c: int, d: int) -> float:
    """The 2x2 table's odds ratio ad/bc: a = exposed cases, b = exposed non-cases, c, d unexposed."""
    return (a * d) / (b * c)


def woolf(a: int, b: int, c: int, d: int) -> Interval:
    """The odds ratio with Woolf's log-scale 95% interval; every cell must be non-zero."""
    value = odds_ratio(a, b, c, d)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return Interval(value, value * math.exp(-Z95 * se), value * math.exp(Z95 * se))


def prevalence_ratio(a: int, n1: int, c: int, n0: int) -> Interval:
    """Risk a/n1 over risk c/n0 with the Katz log-scale 95% interval; a and c must be non-zero."""
    value = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return Interval(value, value * math.exp(-Z95 * se), value * math.exp(Z95 * se))


def ratio_suppressed(a: int, n1: int, c: int, n0: int) -> bool:
    """True when any of the four cells behind a ratio (cases and non-cases per group) is small."""
    return min(a, n1 - a, c, n0 - c) < MIN_CELL
