"""How the analytics page words its numbers; a suppressed small cell never shows its count."""

from django import template

from analytics.intervals import MIN_CELL, Interval, Proportion

register = template.Library()

SUPPRESSED = "fewer than 11"


@register.filter
def cell(n: int) -> str:
    """A patient count, or the suppression note when it is a small cell."""
    return SUPPRESSED if n < MIN_CELL else f"{n:,}"


@register.filter
def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


@register.filter
def share(proportion: Proportion) -> str:
    """'17.4% (95% CI 15.0-20.1%)', or the suppression note."""
    interval = proportion.interval
    if interval is None:
        return "suppressed"
    return (
        f"{interval.value * 100:.1f}% "
        f"(95% CI {interval.low * 100:.1f}\u2013{interval.high * 100:.1f}%)"
    )


@register.filter
def share_counts(proportion: Proportion) -> str:
    """'131 of 750', shown only when neither part is a small cell."""
    if proportion.suppressed:
        return SUPPRESSED if proportion.n >= MIN_CELL else f"{SUPPRESSED} in the group"
    return f"{proportion.k:,} of {proportion.n:,}"


@register.filter
def ratio(interval: Interval | None) -> str:
    """'1.80 (95% CI 1.60-2.02)', or the suppression note."""
    if interval is None:
        return "suppressed"
    return f"{interval.value:.2f} (95% CI {interval.low:.2f}\u2013{interval.high:.2f})"


@register.filter
def days(value: float | None) -> str:
    if value is None:
        return "not shown"
    return f"{value:.1f} days"
