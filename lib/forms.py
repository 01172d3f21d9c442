"""Date fields of the filter forms (queue, exports, analytics, audit log) and their one rule."""

import datetime as dt
from typing import Any

from django import forms

from lib.dates import EARLIEST_DAY, LATEST_DAY, OUT_OF_RANGE, within_range

END_BEFORE_START = "The end date is before the start date."


def _within_range(day: dt.date) -> None:
    if not within_range(day):
        raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")


def date_field(label: str, **kwargs: Any) -> forms.DateField:
    """A date picker that sends YYYY-MM-DD, as every filter form takes it, and refuses a day
    outside lib.dates' range with a message by the field."""
    kwargs.setdefault("required", False)
    attrs = {"type": "date", "min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}
    widget = forms.DateInput(attrs=attrs, format="%Y-%m-%d")
    messages = {"invalid": "Enter the date as YYYY-MM-DD."}
    return forms.DateField(
        label=label,
        widget=widget,
        error_messages=messages,
        validators=[_within_range],
        **kwargs,
    )


class DateRangeMixin:
    """A form whose `date_range` fields name a first and a last day: the last may not come before
    the first (the error shows by the last)."""

    date_range: tuple[str, str] = ("date_from", "date_to")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        first, last = (cleaned.get(name) for name in self.date_range)
        if first and last and last < first:
            self.add_error(self.date_range[1], END_BEFORE_START)  # type: ignore[attr-defined]
        return cleaned
