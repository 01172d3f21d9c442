"""Date fields of the filter forms (queue, exports, analytics, audit log) and their one rule."""

from typing import Any

from django import forms

END_BEFORE_START = "The end date is before the start date."


def date_field(label: str, **kwargs: Any) -> forms.DateField:
    """A date picker that sends YYYY-MM-DD, as every filter form takes it."""
    kwargs.setdefault("required", False)
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    messages = {"invalid": "Enter the date as YYYY-MM-DD."}
    return forms.DateField(label=label, widget=widget, error_messages=messages, **kwargs)


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
