"""The exports page's form: which visits, which format, how written; it owns its crispy layout."""

import datetime as dt
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone

from accounts.forms import ClinicianField
from exports.export import (
    FLAG_STATUS_CHOICES,
    Dataset,
    DateDetail,
    Export,
    ExportFilters,
    ExportOptions,
    Format,
)
from lib.forms import DateRangeMixin, date_field
from screening.instruments import Instrument
from screening.models import FlagKind

DEFAULT_DAYS = 30
_ANY_YES_NO = (("", "Any"), ("yes", "Meets the criterion"), ("no", "Does not meet it"))
_YES_NO = {"yes": True, "no": False}


class ExportForm(DateRangeMixin, forms.Form):
    """Read from the query string, so the count, the link and the download share one URL."""

    dataset = forms.ChoiceField(
        label="What to export",
        choices=Dataset.choices,
        widget=forms.RadioSelect,
        initial=Dataset.VISITS,
        required=False,  # links from before the choice existed export visits
    )
    date_from = date_field("Visits from", required=True)
    date_to = date_field("Visits to (inclusive)", required=True)
    clinician = ClinicianField(empty_label="Any clinician")
    instrument = forms.ChoiceField(
        label="Instrument (instruments only)",
        choices=[("", "Any instrument"), *Instrument.choices()],
        required=False,
    )
    back_pain = forms.ChoiceField(label="Back pain", choices=_ANY_YES_NO, required=False)
    major_depression = forms.ChoiceField(
        label="Major depression", choices=_ANY_YES_NO, required=False
    )
    flag_kind = forms.ChoiceField(
        label="Flag kind", choices=[("", "Any or none"), *FlagKind.choices], required=False
    )
    flag_status = forms.ChoiceField(
        label="Flag status", choices=[("", "Any or none"), *FLAG_STATUS_CHOICES], required=False
    )
    current_only = forms.BooleanField(
        label="Current visits only (leave out visits a later amendment corrected)",
        required=False,
    )
    format = forms.ChoiceField(
        label="Format", choices=Format.choices, widget=forms.RadioSelect, initial=Format.CSV
    )
    labels = forms.TypedChoiceField(
        label="Answers as (CSV and Excel)",
        choices=(("codes", "Codes (almost_every_day)"), ("labels", "Labels (Almost every day)")),
        coerce=lambda value: value == "labels",
        widget=forms.RadioSelect,
        initial="codes",
    )
    midus_names = forms.BooleanField(
        label="Name answer columns by MIDUS variable (B1SA10B, B1PA60, ...)", required=False
    )
    excel_bom = forms.BooleanField(
        label="For Excel: begin the CSV with a byte-order mark, so Excel keeps accents (José)",
        required=False,
    )
    deidentified = forms.BooleanField(
        label="De-identified (HIPAA Safe Harbor: no names, MRN, birth dates or exact dates)",
        required=False,
    )
    dates = forms.ChoiceField(
        label="Dates in de-identified files",
        choices=DateDetail.choices,
        widget=forms.RadioSelect,
        initial=DateDetail.SHIFTED,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "export-form"
        self.helper.attrs = {"aria-label": "Choose visits and format", "data-export-form": ""}
        self.helper.layout = Layout(
            Fieldset("What to export", "dataset"),
            Fieldset(
                "Which visits or instruments",
                Row(
                    Column("date_from", css_class="col-sm-6 col-lg-3"),
                    Column("date_to", css_class="col-sm-6 col-lg-3"),
                    Column("clinician", css_class="col-sm-6 col-lg-3"),
                    Column("instrument", css_class="col-sm-6 col-lg-3"),
                ),
                Row(
                    Column("back_pain", css_class="col-sm-6 col-lg-3"),
                    Column("major_depression", css_class="col-sm-6 col-lg-3"),
                    Column("flag_kind", css_class="col-sm-6 col-lg-3"),
                    Column("flag_status", css_class="col-sm-6 col-lg-3"),
                ),
                "current_only",
            ),
            Fieldset(
                "Format",
                Row(
                    Column("format", css_class="col-md-4"),
                    Column("labels", css_class="col-md-4"),
                    Column("dates", css_class="col-md-4"),
                ),
                "midus_names",
                "excel_bom",
                "deidentified",
            ),
        )
        count = Submit("count", "Count")
        count.field_classes = "btn btn-outline-primary"  # the download link is the primary action
        self.helper.add_input(count)

    @classmethod
    def default_data(cls, today: dt.date | None = None) -> dict[str, str]:
        """The first visit's choices: the last 30 days, current visits, CSV with codes."""
        today = today or timezone.localdate()
        return {
            "dataset": Dataset.VISITS,
            "date_from": (today - dt.timedelta(days=DEFAULT_DAYS)).isoformat(),
            "date_to": today.isoformat(),
            "current_only": "on",
            "format": Format.CSV,
            "labels": "codes",
            "dates": DateDetail.SHIFTED,
        }

    def export(self) -> Export:
        """The export the valid form describes."""
        data = self.cleaned_data
        clinician = data.get("clinician")
        return Export(
            format=data["format"],
            filters=ExportFilters(
                date_from=data["date_from"],
                date_to=data["date_to"],
                clinician_id=clinician.pk if clinician else None,
                back_pain=_YES_NO.get(data.get("back_pain") or ""),
                major_depression=_YES_NO.get(data.get("major_depression") or ""),
                flag_kind=data.get("flag_kind") or "",
                flag_status=data.get("flag_status") or "",
                current_only=bool(data.get("current_only")),
                instrument=data.get("instrument") or "",
            ),
            options=ExportOptions(
                dataset=data.get("dataset") or Dataset.VISITS,
                labels=bool(data.get("labels")),
                midus_names=bool(data.get("midus_names")),
                deidentified=bool(data.get("deidentified")),
                dates=data.get("dates") or DateDetail.SHIFTED,
                excel_bom=bool(data.get("excel_bom")),
            ),
        )
