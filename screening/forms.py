"""The screening form: one field per answer key (CRITERIA.md section 7), skip logic applied once.

`criteria.asked_items` decides which items are asked; `clean()` requires those and stores the rest
as None, and static/js/screening-form.js hides the unasked ones using the same gates (SKIP_LOGIC).
"""

import copy
import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from patients.models import Patient
from screening import criteria
from screening.models import Alcohol, Concern, Smoking, Visit
from screening.services.visits import COVARIATE_KEYS, Covariate

YES_NO = (("yes", "Yes"), ("no", "No"))
REQUIRED = "Choose an answer: the answers above make this question required."
# Clocks of the clinic's computers drift a little; a visit time further ahead is a typo.
FUTURE_TOLERANCE = timedelta(minutes=10)

# The stem answers that let the interview go on, in stem order (CRITERIA.md section 2). The
# browser needs them to hide what criteria.asked_items would not ask; a browser test checks the
# script against asked_items.
_PASSING = (
    (criteria.Stem.YES,),
    (criteria.Duration.ALL_DAY_LONG, criteria.Duration.MOST_OF_THE_DAY),
    (criteria.Frequency.EVERY_DAY, criteria.Frequency.ALMOST_EVERY_DAY),
)


def _path_logic(spec: Any) -> dict[str, Any]:
    prefix = spec.prefix
    return {
        "stems": list(spec.stems),
        "passing": [[str(code) for code in codes] for codes in _PASSING],
        "symptoms": list(spec.symptoms),
        # [follow-up, the item it follows, the answer that asks it]
        "followups": [
            [f"{prefix}_appetite_increased", f"{prefix}_appetite_lost", "no"],
            [f"{prefix}_sleep_frequency", f"{prefix}_sleep_trouble", "yes"],
        ],
    }


SKIP_LOGIC: dict[str, Any] = {
    "always": [criteria.BACKACHE],
    "items": list(criteria.ANSWER_KEYS),
    "paths": [_path_logic(criteria.PATH_A), _path_logic(criteria.PATH_B)],
}
_SKIP_LOGIC_JSON = json.dumps(SKIP_LOGIC)


class YesNoField(forms.TypedChoiceField):
    """Yes/No radios: True, False, or None when not answered (NULL = not asked, STYLE.md)."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


def _stem_number(key: str) -> str:
    for spec in (criteria.PATH_A, criteria.PATH_B):
        if key in spec.stems:
            return f"{spec.letter}{spec.stems.index(key) + 1}. "
    return ""


def _item_field(item: criteria.Item) -> forms.Field:
    label = f"{_stem_number(item.key)}{item.text}"
    help_text = f"MIDUS {item.midus}"
    if item.choices is None:
        return YesNoField(label=label, help_text=help_text)
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=item.choices,
        required=False,
        widget=forms.RadioSelect,
    )


# Built once: each form gets deep copies, as Django does with declared fields.
_ITEM_FIELDS = {key: _item_field(item) for key, item in criteria.ITEMS.items()}


def _none_if_blank(value: Any) -> Any:
    # an unanswered radio group cleans to "", but a "No" (False) is an answer
    return None if value == "" else value


def _section(section: str) -> list[Any]:
    """The section's items in order; Yes/No questions as one line of radios."""
    return [
        key if item.choices else InlineRadios(key)
        for key, item in criteria.ITEMS.items()
        if item.section == section
    ]


def _hint(text: str) -> HTML:
    # shown without JavaScript only: the script hides the questions this text describes
    return HTML(f'<p class="form-text screening-hint" data-skip-hint>{text}</p>')


class ScreeningForm(forms.Form):
    """A visit's answers and covariates; `answers` and `covariates` are set by a valid form."""

    use_required_attribute = False  # the server explains what is missing, in words

    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    visit_at = forms.DateTimeField(
        label="Visit date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    presenting_concern = forms.ChoiceField(
        label="Presenting concern",
        choices=Concern.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    antidepressant_use = YesNoField(label="Currently taking an antidepressant?")
    regular_exercise = YesNoField(
        label="Regular exercise (20 minutes or more, 3 or more times a week)?",
        help_text="MIDUS B1SA30/B1SA31",
    )
    smoking = forms.ChoiceField(
        label="Smoking", choices=Smoking.choices, required=False, widget=forms.RadioSelect
    )
    alcohol = forms.ChoiceField(
        label="Alcohol in the past month",
        choices=Alcohol.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        min_value=Decimal(50),
        max_value=Decimal(272),
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        min_value=Decimal(20),
        max_value=Decimal(650),
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        for key, field in _ITEM_FIELDS.items():
            self.fields[key] = copy.deepcopy(field)
        # questionnaire order, which the error summary follows
        self.order_fields(["visit_at", "presenting_concern", *criteria.ANSWER_KEYS])
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())
            self.initial.setdefault("visit_at", timezone.localtime().replace(second=0))
        self.answers: dict[str, object] = {}
        self.covariates: dict[str, Covariate] = {}

    @classmethod
    def initial_from(cls, visit: Visit) -> dict[str, Any]:
        """Initial data repeating a recorded visit's answers, for an amendment."""
        keys = (*criteria.ANSWER_KEYS, *COVARIATE_KEYS)
        initial = {key: getattr(visit, key) for key in keys}
        initial["visit_at"] = timezone.localtime(visit.visit_at)
        return initial

    def visit_data(self) -> dict[str, Any]:
        """What record_visit and amend_visit take from a valid form."""
        return {
            "answers": self.answers,
            "covariates": self.covariates,
            "visit_at": self.cleaned_data["visit_at"],
            "submission_id": self.cleaned_data["submission_id"],
        }

    @cached_property
    def helper(self) -> FormHelper:
        """The crispy layout: a fieldset per section; built only when the form is rendered."""
        helper = FormHelper()
        helper.form_id = "screening-form"
        helper.attrs = {"novalidate": "", "data-skip-logic": _SKIP_LOGIC_JSON}
        a, b = criteria.PATH_A, criteria.PATH_B
        helper.layout = Layout(
            Fieldset(
                "Visit",
                "submission_id",
                Field("visit_at", wrapper_class="screening-narrow"),
                "presenting_concern",
                css_class="screening-section",
            ),
            Fieldset(
                "Back pain",
                criteria.BACKACHE,
                css_class="screening-section",
                data_section="back_pain",
            ),
            Fieldset(
                "Depression screen: depressed affect (path A)",
                _hint(
                    "Ask A2 only if A1 is Yes, A3 only if A2 is all day long or most of the day, "
                    "and the symptoms only if A3 is every day or almost every day."
                ),
                *_section("depressed_affect"),
                css_class="screening-section",
                data_section="depressed_affect",
            ),
            Fieldset(
                "Depression screen: loss of interest (path B)",
                _hint(
                    f"Ask only if path A was not entered (a non-qualifying answer at "
                    f"{a.letter}1-{a.letter}3); then {b.letter}2 only if {b.letter}1 is Yes, and "
                    f"so on as for path A."
                ),
                *_section("anhedonia"),
                css_class="screening-section",
                data_section="anhedonia",
            ),
            Fieldset(
                "Health and habits",
                InlineRadios("antidepressant_use"),
                InlineRadios("regular_exercise"),
                "smoking",
                "alcohol",
                Div(
                    Field("height_cm", wrapper_class="col-sm-4"),
                    Field("weight_kg", wrapper_class="col-sm-4"),
                    HTML(
                        '<div class="col-sm-4 mb-3"><span class="form-label d-block">BMI</span>'
                        '<output class="fs-5" for="id_height_cm id_weight_kg" data-bmi-output '
                        'aria-live="polite">Enter height and weight</output></div>'
                    ),
                    css_class="row",
                ),
                css_class="screening-section",
            ),
        )
        helper.add_input(Submit("record", "Record visit", css_class="btn-lg"))
        return helper

    def clean_visit_at(self) -> Any:
        visit_at = self.cleaned_data["visit_at"]
        if visit_at > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("The visit time is in the future.")
        if timezone.localtime(visit_at).date() < self.patient.date_of_birth:
            raise forms.ValidationError("The visit time is before the patient's date of birth.")
        return visit_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = {key: _none_if_blank(cleaned.get(key)) for key in criteria.ANSWER_KEYS}
        asked = criteria.asked_items(answers)
        for key in criteria.ANSWER_KEYS:
            if key in asked and answers[key] is None and key not in self.errors:
                self.add_error(key, REQUIRED)
        # Answers to questions the skip logic did not ask (visible without JavaScript) are
        # dropped, so the stored visit reads as the interview went (CRITERIA.md section 3).
        self.answers = criteria.strip_unasked(answers)
        self.covariates = {key: _none_if_blank(cleaned.get(key)) for key in COVARIATE_KEYS}
        return cleaned
