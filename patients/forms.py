"""Patient search and registration forms (issue 5, point 1; covariate bands of CRITERIA.md s.5)."""

import datetime as dt
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone

from lib.dates import EARLIEST_DAY
from patients import selectors
from patients.models import Earnings, Education, Patient, Sex

ADULT_AGE = 18


class PatientSearchForm(forms.Form):
    """One box for an MRN, a name or part of it, or a date of birth; sent by POST (PHI)."""

    q = forms.CharField(
        label="Find a patient",
        max_length=100,
        help_text=(
            "Medical record number or part of it, name or part of it, or date of birth as "
            "MM/DD/YYYY (month first) or YYYY-MM-DD."
        ),
        error_messages={"required": "Enter an MRN, a name or a date of birth to search."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class PatientForm(forms.ModelForm):
    """Registration; `warnings` lists what must be confirmed before saving (duplicate, minor)."""

    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    education = forms.TypedChoiceField(
        label="Education",
        choices=[("", "Not recorded"), *Education.choices],
        required=False,
        empty_value=None,
        help_text="Highest level completed (MIDUS B1PB1, grouped).",
    )
    earnings = forms.TypedChoiceField(
        label="Personal earnings",
        choices=[("", "Not recorded"), *Earnings.choices],
        required=False,
        empty_value=None,
        help_text="Last year's personal earnings, USD (MIDUS B1SG8A).",
    )
    confirm = forms.BooleanField(
        label="I have checked the warnings above: register this patient anyway",
        required=False,
    )

    class Meta:
        model = Patient
        fields = [
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "education",
            "earnings",
        ]
        labels = {"mrn": "Medical record number (MRN)"}
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "mrn": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        error_messages = {"mrn": {"unique": "This MRN is already registered to another patient."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False
        self.warnings: list[str] = []
        self.duplicates: list[Patient] = []
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("Identity", "mrn", "given_name", "family_name", "date_of_birth", "sex"),
            Fieldset("Background", "education", "earnings"),
        )

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth is in the future.")
        if born < EARLIEST_DAY:
            raise forms.ValidationError("The date of birth is before 1900; check the year.")
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born = cleaned.get("date_of_birth")
        given, family = cleaned.get("given_name"), cleaned.get("family_name")
        if born and given and family:
            self.duplicates = list(
                selectors.likely_duplicates(
                    given_name=given, family_name=family, date_of_birth=born
                )[:5]
            )
        if self.duplicates:
            self.warnings.append(
                "A patient with the same name and date of birth is already registered. "
                "Open that record instead unless this is a different person."
            )
        if born:
            age = Patient(date_of_birth=born).age_on(timezone.localdate())
            if age < ADULT_AGE:
                self.warnings.append(
                    f"The patient is {age} years old. The screen follows a study of adults "
                    f"(18 and over); its cut-offs are not validated for younger patients."
                )
        if self.warnings and not cleaned.get("confirm"):
            self.add_error("confirm", "Check the warnings above, then tick this box to register.")
        return cleaned
