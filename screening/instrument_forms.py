"""The instrument forms (ASQ, PHQ-9, LBP+PEG): one radio group per question, named by its key
(INSTRUMENTS.md), the skip rule applied once on the server with the instrument's own
asked_items, and its gates as data for static/js/instrument-form.js to hide what is not asked.
"""

import json
import uuid
from typing import Any

from crispy_forms.bootstrap import FormActions, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape

from patients.models import Patient
from screening import instruments
from screening.forms import FUTURE_TOLERANCE
from screening.instruments import Instrument, InvalidAnswers, Question, asq, phq9
from screening.models import Flag, RecordedInstrument
from screening.services.instruments import clean_answers

# The questions a skip rule hides, each with the always-asked questions and answers that ask it
# (the browser's copy of asq.asked_items and phq9.asked_items; a unit test replays both).
SKIP_GATES: dict[Instrument, dict[str, dict[str, list[str]]]] = {
    Instrument.ASQ: {
        asq.ACUTE_KEY: {
            "any_of": list(asq.SCREEN_KEYS),
            "values": [asq.AsqAnswer.YES.value, asq.AsqAnswer.REFUSED.value],
        }
    },
    Instrument.PHQ9: {
        phq9.DIFFICULTY_KEY: {
            "any_of": list(phq9.ITEM_KEYS),
            "values": [str(level.value) for level in phq9.Frequency if level > 0],
        }
    },
    Instrument.LBP_PEG: {},
}
HINTS = {
    asq.ACUTE_KEY: "Ask question 5 only if the patient answered yes to, or refused, any of "
    "questions 1 to 4.",
    phq9.DIFFICULTY_KEY: "Ask this only if any problem above bothered the patient at all "
    "(any answer other than Not at all).",
}
TITLES = {
    Instrument.ASQ: "Ask Suicide-Screening Questions (ASQ)",
    Instrument.PHQ9: "PHQ-9",
    Instrument.LBP_PEG: "Chronic low back pain and PEG",
}
INTROS = {
    Instrument.ASQ: "Ask the patient each question in these words. Source: " + asq.SOURCE + ".",
    Instrument.PHQ9: phq9.STEM,
    Instrument.LBP_PEG: "Chronicity: the NIH Task Force questions; pain, enjoyment and activity: "
    "the PEG, each from 0 to 10.",
}


def _required_message(instrument: Instrument, question: Question) -> str:
    if question.key == asq.ACUTE_KEY:
        return (
            "Choose an answer: question 5 must be asked because the patient answered yes to, "
            "or refused, a question above."
        )
    return f"Choose an answer: every question of the {instrument.label} is required."


def _field(number: int, question: Question) -> forms.Field:
    numeric = isinstance(question.codes[0], int)
    return forms.TypedChoiceField(
        label=f"{number}. {question.text}" if number else question.text,
        choices=[(str(code), label) for code, label in question.choices],
        coerce=int if numeric else str,
        empty_value=None,
        required=False,  # clean() requires what the skip rule asks, with a message that says so
        widget=forms.RadioSelect,
    )


class InstrumentForm(forms.Form):
    """One administration of `instrument`; a valid form sets `answers` (every key, unasked None)."""

    use_required_attribute = False  # the server explains what is missing, in words

    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    flag = forms.IntegerField(widget=forms.HiddenInput, required=False)
    administered_at = forms.DateTimeField(
        label="Date and time asked",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        patient: Patient,
        flag: Flag | None = None,
        amends: RecordedInstrument | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.patient = patient
        self.flag_obj = flag
        self.amends = amends
        self.questions = instruments.QUESTIONS[instrument]
        for number, question in enumerate(self.questions, start=1):
            # the ASQ's questions and the PHQ-9's nine items are numbered, as on paper
            numbered = instrument == Instrument.ASQ or question.key in phq9.ITEM_KEYS
            self.fields[question.key] = _field(number if numbered else 0, question)
        if amends is not None:
            self.fields["amendment_reason"] = forms.CharField(
                label="Reason for the amendment",
                max_length=1000,
                help_text="What was wrong in the recorded answers, e.g. an answer misheard.",
                error_messages={"required": "Say why the answers are amended."},
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())
            self.initial.setdefault("administered_at", timezone.localtime().replace(second=0))
            self.initial.setdefault("flag", flag.pk if flag is not None else None)
        self.answers: dict[str, object] = {}

    @classmethod
    def initial_from(cls, recorded: RecordedInstrument) -> dict[str, Any]:
        """Initial data repeating a record's answers, for an amendment."""
        initial: dict[str, Any] = {k: v for k, v in recorded.answers.items() if v is not None}
        initial["administered_at"] = timezone.localtime(recorded.administered_at)
        return initial

    @property
    def amendment_reason(self) -> str:
        return str(self.cleaned_data.get("amendment_reason", ""))

    def refuse_submission(self, message: str) -> None:
        """Show `message` above the answers, which stay as typed, under a new submission id."""
        self.add_error(None, message)
        self.data = self.data.copy()
        self.data["submission_id"] = str(uuid.uuid4())

    @cached_property
    def helper(self) -> FormHelper:
        """The crispy layout: the instrument's questions in order, hints for the skip rule."""
        helper = FormHelper()
        helper.form_id = "instrument-form"
        gates = json.dumps(SKIP_GATES[self.instrument])
        helper.attrs = {"novalidate": "", "data-instrument-skip": gates}
        rows: list[Any] = []
        for question in self.questions:
            if question.key in HINTS:
                hint = escape(HINTS[question.key])
                rows.append(HTML(f'<p class="form-text" data-skip-hint>{hint}</p>'))
            short = len(question.choices) <= 4 or isinstance(question.codes[0], int)
            rows.append(InlineRadios(question.key) if short else question.key)
        helper.layout = Layout(
            Fieldset(
                "When",
                "submission_id",
                "flag",
                Field("administered_at", wrapper_class="screening-narrow"),
                css_class="screening-section",
            ),
            Fieldset(TITLES[self.instrument], *rows, css_class="screening-section"),
        )
        if self.amends is None:
            helper.add_input(
                Submit("record", f"Record {self.instrument.label}", css_class="btn-lg")
            )
            return helper
        cancel = self.amends.get_absolute_url()
        helper.layout.append(
            Fieldset("Amendment", "amendment_reason", css_class="screening-section")
        )
        helper.layout.append(
            FormActions(
                Submit("record", "Record amendment", css_class="btn-lg"),
                HTML(f'<a class="btn btn-link btn-lg" href="{cancel}">Cancel</a>'),
            )
        )
        return helper

    def clean_administered_at(self) -> Any:
        at = self.cleaned_data["administered_at"]
        if at > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("The time asked is in the future.")
        if timezone.localtime(at).date() < self.patient.date_of_birth:
            raise forms.ValidationError("The time asked is before the patient's date of birth.")
        return at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = {q.key: cleaned.get(q.key) for q in self.questions}
        asked = instruments.asked_items(self.instrument, answers)
        for question in self.questions:
            key = question.key
            missing = key in asked and question.required and answers[key] is None
            if missing and key not in self.errors:
                self.add_error(key, _required_message(self.instrument, question))
        if any(q.key in self.errors for q in self.questions):
            return cleaned
        try:
            # Answers to questions the skip rule did not ask (shown without JavaScript) are
            # dropped, as the screening form drops them: the record reads as the interview went.
            self.answers = dict(clean_answers(self.instrument, answers))
        except InvalidAnswers as error:  # a value the radios cannot send: an altered form
            self.add_error(error.key if error.key in self.fields else None, str(error))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """What record_instrument and amend_instrument take from a valid form."""
        return {
            "answers": self.answers,
            "administered_at": self.cleaned_data["administered_at"],
            "submission_id": self.cleaned_data["submission_id"],
        }
