"""The clinician's invitation and sign-off forms, and the patient's: code, date of birth and the
questionnaire in the patient's words, whose field names are the answer keys (DESIGN.md
"Contracts"). Skip logic is criteria.asked_items, applied on the server: each submit shows the
questions the answers so far ask, so the form works without JavaScript."""

import json
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from intake.models import InvitationMode
from intake.wording import PATIENT_TEXT, patient_choices
from lib.dates import EARLIEST_DAY
from screening import criteria, questionnaire
from screening.forms import SKIP_LOGIC

ANSWER_REQUIRED = "Please choose an answer to this question."
# The clinician form's gates: static/js/screening-form.js shows a follow-up question as soon as
# its answer calls for it; without JavaScript the next Continue does (the server's asked_items).
SKIP_LOGIC_JSON = json.dumps(SKIP_LOGIC)


class InvitationForm(forms.Form):
    mode = forms.ChoiceField(
        label="Where will the patient answer?",
        choices=InvitationMode.choices,
        initial=InvitationMode.TABLET,
        widget=forms.RadioSelect,
    )


class ShortCodeForm(forms.Form):
    code = forms.CharField(
        label="Your code",
        max_length=32,
        help_text="The code from the clinic, for example ABCD 2345. Spaces do not matter.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your date of birth",
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        help_text="We ask this to make sure these questions are for you.",
        error_messages={"invalid": "Enter your date of birth, for example 1970-03-25."},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        if not EARLIEST_DAY <= value <= timezone.localdate():
            raise forms.ValidationError("Enter your date of birth, for example 1970-03-25.")
        return value


def _yes_no(value: str) -> bool:
    return value == "yes"


def _field(key: str) -> forms.Field:
    if questionnaire.ITEMS[key].choices is None:
        return forms.TypedChoiceField(
            label=PATIENT_TEXT[key],
            choices=patient_choices(key),
            coerce=_yes_no,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
    return forms.ChoiceField(
        label=PATIENT_TEXT[key],
        choices=patient_choices(key),
        required=False,
        widget=forms.RadioSelect,
    )


class PatientAnswersForm(forms.Form):
    """The questions asked so far; valid and `complete` once every asked question has an answer.

    `shown` lists the questions the page showed, so a question the answers just asked appears
    without an error, while one shown and left empty says it needs an answer.
    """

    use_required_attribute = False
    shown = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in questionnaire.ANSWER_KEYS:
            self.fields[key] = _field(key)
        self.answers: dict[str, object] = {}
        self.asked: frozenset[str] = criteria.asked_items({})
        self.complete = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = {
            key: None if cleaned.get(key) in ("", None) else cleaned.get(key)
            for key in questionnaire.ANSWER_KEYS
        }
        self.asked = criteria.asked_items(answers)
        shown = set(str(cleaned.get("shown") or "").split(","))
        missing = [
            key for key in questionnaire.ANSWER_KEYS if key in self.asked and answers[key] is None
        ]
        for key in missing:
            # the first question is on every page, so a submit without it is never a step
            if (key in shown or key == questionnaire.BACKACHE) and key not in self.errors:
                self.add_error(key, ANSWER_REQUIRED)
        self.answers = criteria.strip_unasked(answers)
        self.complete = not missing and not self.errors
        return cleaned

    def asked_fields(self) -> list[forms.BoundField]:
        """The questions the answers so far ask, in questionnaire order."""
        return [self[key] for key in questionnaire.ANSWER_KEYS if key in self.asked]

    def questions(self) -> list[tuple[forms.BoundField, bool]]:
        """Every question in order, and whether it is asked (the others are sent hidden)."""
        return [(self[key], key in self.asked) for key in questionnaire.ANSWER_KEYS]

    def shown_value(self) -> str:
        return ",".join(key for key in questionnaire.ANSWER_KEYS if key in self.asked)


_KEEP = (("", "Keep the patient's answer"),)


class SignOffForm(forms.Form):
    """A correction per item (empty keeps the patient's answer) and the reason for any."""

    reason = forms.CharField(
        label="Reason for the corrections",
        required=False,
        max_length=1000,
        help_text="Needed only when you correct an answer, e.g. the patient misread a question.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, entered: dict[str, object], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered = entered
        for key, item in questionnaire.ITEMS.items():
            choices = item.choices or (("yes", "Yes"), ("no", "No"))
            self.fields[f"fix_{key}"] = forms.ChoiceField(
                label=item.text, choices=_KEEP + tuple(choices), required=False
            )
        self.corrections: dict[str, object] = {}

    def rows(self) -> list[tuple[str, object, forms.BoundField]]:
        """(answer key, what the patient entered, its correction field) per item."""
        return [(key, self.entered.get(key), self[f"fix_{key}"]) for key in questionnaire.ITEMS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        corrections: dict[str, object] = {}
        for key, item in questionnaire.ITEMS.items():
            raw = cleaned.get(f"fix_{key}") or ""
            if not raw:
                continue
            value: object = (raw == "yes") if item.choices is None else raw
            if value != self.entered.get(key):
                corrections[key] = value
        if corrections and not str(cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why you corrected the patient's answers.")
        merged = {key: self.entered.get(key) for key in questionnaire.ANSWER_KEYS} | corrections
        asked = criteria.asked_items(merged)
        for key in questionnaire.ANSWER_KEYS:
            if key in asked and merged[key] is None:
                self.add_error(
                    f"fix_{key}", "After the corrections this question is asked: choose an answer."
                )
        self.corrections = corrections
        return cleaned
