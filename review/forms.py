"""The review queue's filter form and the case page's action forms; each owns its crispy layout."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.urls import reverse

from lib.forms import DateRangeMixin, date_field
from review.selectors import (
    ANYONE,
    ASSIGNEE_CHOICES,
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    STATUS_CHOICES,
    UNRESOLVED,
    QueueFilters,
)
from review.services import RESOLVE_OUTCOMES, resolve_outcomes
from screening.models import Flag, FlagKind, FlagStatus


class QueueFilterForm(DateRangeMixin, forms.Form):
    """Filters from the query string; an invalid value is reported and its default used."""

    date_range = ("opened_from", "opened_to")

    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Any kind"), *FlagKind.choices], required=False
    )
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    assignee = forms.ChoiceField(label="Assignee", choices=ASSIGNEE_CHOICES, required=False)
    opened_from = date_field("Opened from")
    opened_to = date_field("Opened to")
    size = forms.TypedChoiceField(
        label="Per page",
        choices=[(n, str(n)) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=DEFAULT_PAGE_SIZE,
    )
    # "1" while the queue shows a patient search (the text is in the session, never the URL):
    # kept through "Apply filters" so the filters combine with it
    search = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None:  # a link that names some filters shows the defaults of the others
            data = data.copy()
            data.setdefault("status", UNRESOLVED)
            data.setdefault("size", str(DEFAULT_PAGE_SIZE))
        super().__init__(data, *args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "queue-filters"
        self.helper.attrs = {"aria-label": "Filter the queue"}
        self.helper.layout = Layout(
            Row(
                # two to a line on a tablet, one line from 992 px: nothing runs off at 768
                Column("kind", css_class="col-sm-6 col-lg-3"),
                Column("status", css_class="col-sm-6 col-lg-2"),
                Column("assignee", css_class="col-sm-6 col-lg-2"),
                Column("opened_from", css_class="col-sm-6 col-lg-2"),
                Column("opened_to", css_class="col-sm-6 col-lg-2"),
                Column("size", css_class="col-sm-6 col-lg-1"),
            ),
            Field("search"),
        )
        self.helper.add_input(Submit("apply", "Apply filters", css_class="btn-primary"))

    def filters(self) -> QueueFilters:
        """The filters from the fields that validated; the others keep their defaults."""
        data = getattr(self, "cleaned_data", {})
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return QueueFilters(
            kind=valid.get("kind") or "",
            status=valid.get("status") or UNRESOLVED,
            assignee=valid.get("assignee") or ANYONE,
            opened_from=valid.get("opened_from") if "opened_to" not in self.errors else None,
            opened_to=valid.get("opened_to"),
        )

    def page_size(self) -> int:
        data = getattr(self, "cleaned_data", {})
        return DEFAULT_PAGE_SIZE if "size" in self.errors else data.get("size", DEFAULT_PAGE_SIZE)


class QueueSearchForm(forms.Form):
    """The queue's patient search: one box for part of an MRN or a name, sent by POST (PHI) and
    matched as patient search matches it (patients.selectors.search_patients)."""

    q = forms.CharField(
        label="Find a patient's cases",
        max_length=100,
        help_text="Medical record number or part of it, or name or part of it.",
        error_messages={"required": "Enter an MRN or a name to search the queue."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class FlagActionForm(forms.Form):
    """A case-page action: posts to its own URL, with a prefix so several forms share a page."""

    action = ""
    button = ""
    button_class = "btn-primary"

    def __init__(self, *args: Any, flag: Flag | None = None, flag_id: int = 0, **kwargs: Any):
        """`flag` when rendering for a known flag; a bound form on POST needs only its id."""
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        pk = flag.pk if flag is not None else flag_id
        self.helper.form_action = reverse(f"review:flag_{self.action}", args=[pk])
        self.helper.form_id = f"{self.action}-form"
        submit = Submit(self.action, self.button)
        submit.field_classes = f"btn {self.button_class}"  # instead of crispy's btn-primary
        self.helper.add_input(submit)

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned fields, named as the service takes them."""
        return dict(self.cleaned_data)


class ClaimForm(FlagActionForm):
    action, button = "claim", "Claim this case"


class ReleaseForm(FlagActionForm):
    action, button, button_class = "release", "Release", "btn-outline-secondary"


class TakeOverForm(FlagActionForm):
    action, button, button_class = "take_over", "Take over this case", "btn-warning"
    reason = forms.CharField(
        label="Reason for taking over (the current reviewer will see it in the history)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason for taking over this case."},
    )


class NoteForm(FlagActionForm):
    action, button, button_class = "note", "Add note", "btn-outline-primary"
    note = forms.CharField(
        label="Note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a note."},
    )


class ResolveForm(FlagActionForm):
    action, button, button_class = "resolve", "Resolve", "btn-success"
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose the outcome…"), *RESOLVE_OUTCOMES],
        error_messages={"required": "Choose the outcome of the assessment."},
    )
    note = forms.CharField(
        label="Assessment note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a note on the assessment."},
    )

    def __init__(self, *args: Any, flag: Flag | None = None, **kwargs: Any):
        super().__init__(*args, flag=flag, **kwargs)
        if flag is not None:  # offer only the outcomes of this kind; the service checks it too
            choices = [("", "Choose the outcome…"), *resolve_outcomes(flag.kind)]
            self.fields["outcome"].choices = choices


class DismissForm(FlagActionForm):
    action, button, button_class = "dismiss", "Dismiss", "btn-outline-danger"
    reason = forms.CharField(
        label="Reason for dismissing without an assessment",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason for dismissing without an assessment."},
    )


class ReopenForm(FlagActionForm):
    action, button, button_class = "reopen", "Reopen", "btn-warning"
    note = forms.CharField(
        label="Reason for reopening (optional)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ACTION_FORMS: dict[str, type[FlagActionForm]] = {
    form.action: form
    for form in (
        ClaimForm,
        ReleaseForm,
        TakeOverForm,
        NoteForm,
        ResolveForm,
        DismissForm,
        ReopenForm,
    )
}


def action_forms(
    flag: Flag, user: Any, *, bound: FlagActionForm | None = None, suggested: str | None = None
) -> list[FlagActionForm]:
    """The actions the flag's state offers this user, in page order; `bound` keeps a bad submit,
    `suggested` is the outcome the resolve form pre-selects (the case's instrument's)."""
    holder = flag.assignee_id
    if flag.status == FlagStatus.RESOLVED:
        actions = ["reopen", "note"]
    elif flag.status == FlagStatus.IN_REVIEW and holder == user.pk:
        actions = ["resolve", "note", "dismiss", "release"]
    elif flag.status == FlagStatus.IN_REVIEW:
        actions = ["note", "take_over"]  # someone else holds it: claiming would be refused
    else:
        actions = ["claim", "resolve", "note", "dismiss"]
    initial = {"resolve": {"outcome": suggested}} if suggested else {}
    return [
        bound
        if bound is not None and bound.action == name
        else ACTION_FORMS[name](flag=flag, initial=initial.get(name))
        for name in actions
    ]
