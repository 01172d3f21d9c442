"""Recording, showing and amending an instrument (issue 16, points 2 and 3). Clinicians,
reviewers and admins record instruments as they record visits (DESIGN.md "Roles"), so the
views check the visit permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from audit.requests import actor_for
from patients.models import Patient
from screening.instrument_forms import INTROS, TITLES, InstrumentForm
from screening.instruments import Instrument
from screening.models import Flag, RecordedInstrument
from screening.services.instruments import (
    FlagNotMeasurable,
    InstrumentAlreadyAmended,
    InstrumentRecorded,
    NoVisitYet,
    SubmissionOfAnotherPatient,
    amend_instrument,
    newer_instrument,
    open_instrument,
    record_instrument,
    record_instrument_form_view,
)

OTHER_PATIENTS_FORM = (
    "This form was already used to record an instrument for another patient, so nothing was "
    "recorded for this patient. Check that the answers below are this patient's, then submit "
    "again."
)
ALREADY_RECORDED = (
    "This form had already been submitted, so nothing new was recorded; this is what it "
    "recorded. To correct it, use Amend."
)


def _instrument(code: str) -> Instrument:
    try:
        return Instrument(code)
    except ValueError:
        raise Http404("No such instrument.") from None


def _flag(request: HttpRequest, patient: Patient) -> Flag | None:
    """The flag named by the form's hidden field or the link's ?flag=, the patient's only."""
    raw = (request.POST if request.method == "POST" else request.GET).get("flag", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such case.")
    return get_object_or_404(Flag.objects.select_related("visit"), pk=int(raw), patient=patient)


def _render(request: HttpRequest, form: InstrumentForm, status: int = 200) -> HttpResponse:
    record_instrument_form_view(patient=form.patient, amends=form.amends, actor=actor_for(request))
    context = {
        "form": form,
        "patient": form.patient,
        "flag": form.flag_obj,
        "title": TITLES[form.instrument],
        "intro": INTROS[form.instrument],
        "original": form.amends,
        "nav": "patients",
    }
    return render(request, "screening/instrument_form.html", context, status=status)


def _done(request: HttpRequest, done: InstrumentRecorded, text: str) -> HttpResponse:
    if done.created:
        messages.success(request, text)
    else:
        messages.info(request, ALREADY_RECORDED)
    return redirect("screening:instrument", pk=done.recorded.pk)


@permission_required("screening.add_visit", raise_exception=True)
def instrument_new(request: HttpRequest, patient_id: int, instrument: str) -> HttpResponse:
    kind = _instrument(instrument)
    patient = get_object_or_404(Patient, pk=patient_id)
    flag = _flag(request, patient)
    form = InstrumentForm(request.POST or None, instrument=kind, patient=patient, flag=flag)
    if request.method == "POST" and form.is_valid():
        try:
            done = record_instrument(
                patient=patient,
                instrument=kind,
                flag=flag,
                **form.service_data(),
                actor=actor_for(request),
            )
        except SubmissionOfAnotherPatient:
            form.refuse_submission(OTHER_PATIENTS_FORM)
        except (FlagNotMeasurable, NoVisitYet) as error:
            form.add_error(None, f"{error} Nothing was recorded.")
        else:
            return _done(request, done, f"{kind.label} recorded.")
        return _render(request, form, status=400)
    return _render(request, form)


@permission_required("screening.view_visit", raise_exception=True)
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        report = open_instrument(instrument_id=pk, actor=actor_for(request))
    except RecordedInstrument.DoesNotExist:
        raise Http404("No such instrument.") from None
    context = {"report": report, "recorded": report.recorded, "nav": "patients"}
    return render(request, "screening/instrument_detail.html", context)


@permission_required("screening.add_visit", raise_exception=True)
def instrument_amend(request: HttpRequest, pk: int) -> HttpResponse:
    original = get_object_or_404(
        RecordedInstrument.objects.select_related("patient", "flag"), pk=pk
    )
    if request.method == "GET" and (newer := newer_instrument(original)) is not None:
        messages.info(request, "This record was already amended; amend the newest one.")
        return redirect("screening:instrument", pk=newer.pk)
    form = InstrumentForm(
        request.POST or None,
        initial=InstrumentForm.initial_from(original),
        instrument=Instrument(original.instrument),
        patient=original.patient,
        flag=original.flag,
        amends=original,
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = amend_instrument(
                original=original,
                **form.service_data(),
                reason=form.amendment_reason,
                actor=actor_for(request),
            )
        except InstrumentAlreadyAmended as error:
            messages.error(request, "Someone amended this record first: nothing saved.")
            return redirect("screening:instrument", pk=error.newest.pk)
        except SubmissionOfAnotherPatient:
            form.refuse_submission(OTHER_PATIENTS_FORM)
        else:
            return _done(request, done, f"Amendment recorded; it replaces record {pk}.")
        return _render(request, form, status=400)
    return _render(request, form)
