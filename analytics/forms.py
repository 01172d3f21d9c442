"""The analytics page's filters: a date range and a clinician. Sent by GET: no PHI in them."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from accounts.forms import ClinicianField
from analytics.filters import Filters
from lib.forms import DateRangeMixin, date_field


class AnalyticsFilterForm(DateRangeMixin, forms.Form):
    date_from = date_field("Visits from")
    date_to = date_field("Visits to (inclusive)")
    clinician = ClinicianField(empty_label="All clinicians")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("date_from", css_class="col-md-3"),
                Column("date_to", css_class="col-md-3"),
                Column("clinician", css_class="col-md-4"),
            )
        )
        self.helper.add_input(Submit("apply", "Apply filters"))

    def filters(self) -> Filters:
        """The filters of a valid form; an unbound form means every visit of every clinician."""
        if not self.is_bound:
            return Filters()
        clinician = self.cleaned_data["clinician"]
        return Filters(
            date_from=self.cleaned_data["date_from"],
            date_to=self.cleaned_data["date_to"],
            clinician_id=clinician.pk if clinician is not None else None,
        )
