"""When a patient is due to be screened again for the other condition (DESIGN.md "Flag rules").

A patient whose latest current visit met exactly one of the two criteria (back pain, major
depression) is due for re-screening once the interval has passed since that visit: the study
found each condition predicts the other nine years later. Standard library only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

BACK_PAIN = "back pain"
DEPRESSION = "depression"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (Jan 31 -> Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _whole_months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end (start <= end)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if add_months(start, months) <= end else months - 1


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def span_label(start: dt.date, end: dt.date) -> str:
    """How far apart two dates are, in the largest unit that reads well: '5 days', '3 weeks',
    '4 months', '2 years' (start <= end; rounded down)."""
    days = (end - start).days
    if days < 14:
        return _plural(days, "day")
    months = _whole_months(start, end)
    if months < 2:
        return _plural(days // 7, "week")
    if months < 24:
        return _plural(months, "month")
    return _plural(months // 12, "year")


@dataclass(frozen=True)
class Rescreen:
    """The re-screen a visit positive for one condition calls for, seen on `today`."""

    screened_on: dt.date  # the date of the visit that screened positive
    positive_for: str  # BACK_PAIN or DEPRESSION
    due_on: dt.date
    today: dt.date

    @property
    def not_met(self) -> str:
        """The condition the visit did not meet, the one to screen for again."""
        return DEPRESSION if self.positive_for == BACK_PAIN else BACK_PAIN

    @property
    def due(self) -> bool:
        """Due today or overdue: the patient belongs on the re-screen list."""
        return self.due_on <= self.today

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def reason(self) -> str:
        """Why, as the list shows it: 'back pain 2025-12-03; depression not met'."""
        return f"{self.positive_for} {self.screened_on.isoformat()}; {self.not_met} not met"

    @property
    def summary(self) -> str:
        """Why, as the patient page shows it: 'back pain positive, depression not met'."""
        return f"{self.positive_for} positive, {self.not_met} not met"

    @property
    def when(self) -> str:
        """'due today', 'overdue by 3 weeks' or 'due in 2 months'."""
        if self.overdue:
            return f"overdue by {span_label(self.due_on, self.today)}"
        if self.due:
            return "due today"
        return f"due in {span_label(self.today, self.due_on)}"


def rescreen(
    *,
    back_pain: bool,
    major_depression: bool,
    visited_on: dt.date,
    interval_months: int,
    today: dt.date,
) -> Rescreen | None:
    """The re-screen a patient's latest current visit calls for, or None when it met both
    criteria or neither (nothing to come back for)."""
    if back_pain == major_depression:
        return None
    return Rescreen(
        screened_on=visited_on,
        positive_for=BACK_PAIN if back_pain else DEPRESSION,
        due_on=add_months(visited_on, interval_months),
        today=today,
    )


def cutoff(today: dt.date, interval_months: int) -> dt.date:
    """The latest visit date that is due on `today`: visits on or before it are due.

    The inverse of add_months for the list's query: add_months(d, n) <= today exactly when
    d <= cutoff(today, n), month ends included (a visit on Aug 31 is due on Feb 28).
    """
    back = add_months(today, -interval_months)
    # when today is a month's last day, every later day of the earlier month is due too
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        return back.replace(day=calendar.monthrange(back.year, back.month)[1])
    return back
