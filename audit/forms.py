"""The audit log's filter form. It is POSTed, so a patient's MRN never appears in a URL."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms

from audit.models import AuditAction
from audit.selectors import AuditFilter, mrn_for_patient, patient_id_for_mrn
from lib.forms import DateRangeMixin, date_field


class AuditFilterForm(DateRangeMixin, forms.Form):
    username = forms.CharField(
        label="User",
        required=False,
        max_length=150,
        help_text="The username exactly, e.g. a clinician's sign-in name.",
    )
    mrn = forms.CharField(
        label="Patient MRN",
        required=False,
        max_length=32,
        help_text="Everything recorded about this patient.",
    )
    # Set by the patient page's "accessed by" panel, which knows the patient but should not
    # have to put the MRN in the page's form markup.
    patient = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *AuditAction.choices],
        error_messages={"invalid_choice": "Choose an action from the list."},
    )
    date_from = date_field("From")
    date_to = date_field("To (inclusive)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries the token
        self.helper.layout = Layout(
            Row(
                Column("username", css_class="col-md-3"),
                Column("mrn", css_class="col-md-3"),
                Column("action", css_class="col-md-6"),
            ),
            Row(
                Column(Field("date_from"), css_class="col-md-3"),
                Column(Field("date_to"), css_class="col-md-3"),
            ),
            "patient",
        )
        self.helper.add_input(Submit("apply", "Apply filter"))
        clear = Submit("clear", "Clear filter", formnovalidate=True)
        clear.field_classes = "btn btn-outline-secondary ms-2"  # instead of crispy's btn-primary
        self.helper.add_input(clear)

    @classmethod
    def for_filter(cls, audit_filter: AuditFilter) -> "AuditFilterForm":
        """An unbound form showing the filter in force (the MRN looked up from the id)."""
        mrn = mrn_for_patient(audit_filter.patient_id) if audit_filter.patient_id else ""
        return cls(
            initial={
                "username": audit_filter.username,
                "mrn": mrn or "",
                "action": audit_filter.action,
                "date_from": audit_filter.date_from,
                "date_to": audit_filter.date_to,
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mrn = (data.get("mrn") or "").strip()
        if mrn:
            data["patient_id"] = patient_id_for_mrn(mrn)
            if data["patient_id"] is None:
                self.add_error("mrn", "No patient has this MRN.")
        else:
            data["patient_id"] = data.get("patient")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            username=(data.get("username") or "").strip(),
            patient_id=data.get("patient_id"),
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
