"""The screening form: one field per answer key (CRITERIA.md section 7), skip logic applied once.

`criteria.asked_items` decides which items are asked; `clean()` requires those and stores the rest
as None, and static/js/screening-form.js hides the unasked ones using the same gates (SKIP_LOGIC).
"""

import copy
import json
import uuid
from datetime import timedelta
from typing import Any

from crispy_forms.bootstrap import FormActions, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from patients.models import Patient
from screening import criteria, questionnaire
from screening.models import Visit
from screening.questionnaire import COVARIATE_KEYS

YES_NO = (("yes", "Yes"), ("no", "No"))
REQUIRED = "Choose an answer: the answers above make this question required."
# asked of everyone, so "the answers above" would not say why
BACKACHE_REQUIRED = (
    "Choose how often the patient had backaches in the past 30 days: every visit asks this "
    "(choose Refused if the patient would not say)."
)
# Clocks of the clinic's computers drift a little; a visit time further ahead is a typo.
FUTURE_TOLERANCE = timedelta(minutes=10)


def _path_logic(spec: questionnaire.PathSpec) -> dict[str, Any]:
    return {
        "stems": list(spec.stems),
        # sorted, so the page's markup is the same on every request
        "passing": [sorted(codes) for codes in spec.passing],
        "symptoms": list(spec.symptoms),
        # [follow-up, the item it follows, the answer that asks it]
        "followups": [
            [rule.key, rule.after, "yes" if rule.when else "no"] for rule in spec.followups
        ],
    }


# The gates the browser needs to hide what criteria.asked_items would not ask; a browser test
# replays answer sets through the script and compares with asked_items.
SKIP_LOGIC: dict[str, Any] = {
    "always": [questionnaire.BACKACHE],
    "items": list(questionnaire.ANSWER_KEYS),
    "paths": [_path_logic(spec) for spec in questionnaire.PATHS],
}
_SKIP_LOGIC_JSON = json.dumps(SKIP_LOGIC)


class SharedChoicesMixin:
    """A field whose choices are the questionnaire's own, which no form changes: each form's copy
    shares them with its widget's. Django deep-copies every field for every form, and a choice
    widget's copy normalises its choices again: that was most of a screening form's
    construction (0.9 ms of CPU per submit, for 29 radio groups)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # forms.Field.__deepcopy__, with the widget copied without its choices setter
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)  # type: ignore[attr-defined]
        result.widget.attrs = self.widget.attrs.copy()  # type: ignore[attr-defined]
        result.error_messages = self.error_messages.copy()  # type: ignore[attr-defined]
        result.validators = self.validators[:]  # type: ignore[attr-defined]
        return result


class QuestionChoiceField(SharedChoicesMixin, forms.ChoiceField):
    """A question's radio group of coded answers."""


class YesNoField(SharedChoicesMixin, forms.TypedChoiceField):
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
    numbers = [spec.number(key) for spec in questionnaire.PATHS if spec.number(key)]
    return f"{numbers[0]}. " if numbers else ""


# MIDUS variable names belong to the analytics page, exports and docs, not to the clinician.
def _item_field(item: questionnaire.Item) -> forms.Field:
    label = f"{_stem_number(item.key)}{item.text}"
    if item.choices is None:
        return YesNoField(label=label)
    return QuestionChoiceField(
        label=label,
        choices=item.choices,
        required=False,
        widget=forms.RadioSelect,
    )


def _covariate_field(covariate: questionnaire.Covariate) -> forms.Field:
    if covariate.yes_no:
        return YesNoField(label=covariate.text)
    if covariate.choices is not None:
        return QuestionChoiceField(
            label=covariate.text,
            choices=covariate.choices,
            required=False,
            widget=forms.RadioSelect,
        )
    return forms.DecimalField(
        label=covariate.text,
        required=False,
        min_value=covariate.low,
        max_value=covariate.high,
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


# Built once: each form gets deep copies, as Django does with declared fields.
_ITEM_FIELDS = {key: _item_field(item) for key, item in questionnaire.ITEMS.items()}
_COVARIATE_FIELDS = {key: _covariate_field(c) for key, c in questionnaire.COVARIATES.items()}


def _none_if_blank(value: Any) -> Any:
    # an unanswered radio group cleans to "", but a "No" (False) is an answer
    return None if value == "" else value


def _hint(text: str) -> HTML:
    # shown without JavaScript only: the script hides the questions this text describes
    return HTML(f'<p class="form-text screening-hint" data-skip-hint>{text}</p>')


def _gates(spec: questionnaire.PathSpec) -> str:
    """How a path's stems gate each other, in words from the questionnaire's own gates."""
    steps = []
    for index, stem in enumerate(spec.stems):
        labels = dict(questionnaire.ITEMS[stem].choices or ())
        passing = " or ".join(
            label.lower() for code, label in labels.items() if code in spec.passing[index]
        )
        nxt = spec.number(spec.stems[index + 1]) if index + 1 < len(spec.stems) else "the symptoms"
        steps.append(f"{nxt} only if {spec.number(stem)} is {passing}")
    return "Ask " + ", ".join(steps[:-1]) + ", and " + steps[-1] + "."


_HINTS = {
    questionnaire.Section.DEPRESSED_AFFECT: _gates(questionnaire.PATH_A),
    questionnaire.Section.ANHEDONIA: (
        f"Ask only if path A was not entered (a non-qualifying answer at "
        f"{questionnaire.PATH_A.number(questionnaire.PATH_A.stems[0])}-"
        f"{questionnaire.PATH_A.number(questionnaire.PATH_A.stems[-1])}); then "
        + _gates(questionnaire.PATH_B)[0].lower()
        + _gates(questionnaire.PATH_B)[1:]
    ),
}


def _section(section: questionnaire.Section) -> Fieldset:
    """The section's items in order, Yes/No questions as one line of radios, with its hint."""
    items = [
        key if item.choices else InlineRadios(key)
        for key, item in questionnaire.ITEMS.items()
        if item.section == section
    ]
    hint = [_hint(_HINTS[section])] if section in _HINTS else []
    return Fieldset(
        questionnaire.SECTION_TITLES[section],
        *hint,
        *items,
        css_class="screening-section",
        data_section=section.value,
    )


class ScreeningForm(forms.Form):
    """A visit's answers and covariates; `answers` and `covariates` are set by a valid form."""

    use_required_attribute = False  # the server explains what is missing, in words

    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    visit_at = forms.DateTimeField(
        label="Visit date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    another_encounter = forms.BooleanField(
        label="This is another encounter: record a new visit anyway",
        required=False,
    )

    def __init__(
        self, *args: Any, patient: Patient, amends: Visit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.amends = amends  # the visit an amendment replaces; it asks for a reason
        self.recent: Visit | None = None  # set by warn_recent: what must be confirmed
        for key, field in (_ITEM_FIELDS | _COVARIATE_FIELDS).items():
            self.fields[key] = copy.deepcopy(field)
        if amends is not None:
            self.fields["amendment_reason"] = forms.CharField(
                label="Reason for the amendment",
                max_length=1000,
                help_text="What was wrong in the recorded visit, e.g. an answer misheard.",
                error_messages={"required": "Say why the visit is amended."},
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # questionnaire order, which the error summary follows
        self.order_fields(["visit_at", "presenting_concern", *questionnaire.ANSWER_KEYS])
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())
            self.initial.setdefault("visit_at", timezone.localtime().replace(second=0))
        self.answers: dict[str, object] = {}
        self.covariates: dict[str, questionnaire.CovariateValue] = {}

    @classmethod
    def initial_from(cls, visit: Visit) -> dict[str, Any]:
        """Initial data repeating a recorded visit's answers, for an amendment."""
        keys = (*questionnaire.ANSWER_KEYS, *COVARIATE_KEYS)
        initial = {key: getattr(visit, key) for key in keys}
        initial["visit_at"] = timezone.localtime(visit.visit_at)
        return initial

    def warn_recent(self, recent: Visit) -> None:
        """Ask, before saving, whether this is another encounter than `recent` (just recorded)."""
        self.recent = recent
        self.add_error(
            "another_encounter",
            "Check the visit recorded a moment ago, then tick this box to record another.",
        )

    @property
    def another_encounter_confirmed(self) -> bool:
        """True when the clinician ticked that this is another encounter than a recent visit."""
        return bool(self.cleaned_data.get("another_encounter"))

    @property
    def amendment_reason(self) -> str:
        """The clinician's reason for an amendment, as typed."""
        return str(self.cleaned_data.get("amendment_reason", ""))

    def visit_data(self) -> dict[str, Any]:
        """What record_visit and amend_visit take from a valid form."""
        return {
            "answers": self.answers,
            "covariates": self.covariates,
            "visit_at": self.cleaned_data["visit_at"],
            "submission_id": self.cleaned_data["submission_id"],
        }

    def refuse_submission(self, message: str) -> None:
        """Show `message` above the answers, which stay as typed, under a new submission id: the
        old one is spent, so a deliberate submit of the form records a visit of its own."""
        self.add_error(None, message)
        self.data = self.data.copy()
        self.data["submission_id"] = str(uuid.uuid4())

    @cached_property
    def helper(self) -> FormHelper:
        """The crispy layout: a fieldset per section; built only when the form is rendered."""
        helper = FormHelper()
        helper.form_id = "screening-form"
        helper.attrs = {"novalidate": "", "data-skip-logic": _SKIP_LOGIC_JSON}
        helper.layout = Layout(
            Fieldset(
                "Visit",
                "submission_id",
                Field("visit_at", wrapper_class="screening-narrow"),
                "presenting_concern",
                css_class="screening-section",
            ),
            *(_section(section) for section in questionnaire.Section),
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
        if self.recent is not None:
            helper.layout.append(Field("another_encounter", wrapper_class="screening-confirm"))
        if self.amends is None:
            helper.add_input(Submit("record", "Record visit", css_class="btn-lg"))
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

    def clean_visit_at(self) -> Any:
        visit_at = self.cleaned_data["visit_at"]
        if visit_at > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("The visit time is in the future.")
        if timezone.localtime(visit_at).date() < self.patient.date_of_birth:
            raise forms.ValidationError("The visit time is before the patient's date of birth.")
        return visit_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = {key: _none_if_blank(cleaned.get(key)) for key in questionnaire.ANSWER_KEYS}
        asked = criteria.asked_items(answers)
        for key in questionnaire.ANSWER_KEYS:
            if key in asked and answers[key] is None and key not in self.errors:
                self.add_error(
                    key, BACKACHE_REQUIRED if key == questionnaire.BACKACHE else REQUIRED
                )
        # Answers to questions the skip logic did not ask (visible without JavaScript) are
        # dropped, so the stored visit reads as the interview went (CRITERIA.md section 3).
        self.answers = criteria.strip_unasked(answers)
        self.covariates = {key: _none_if_blank(cleaned.get(key)) for key in COVARIATE_KEYS}
        return cleaned
