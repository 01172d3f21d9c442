"""The screening form, the result page and amendments (issue 5, points 2-4)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from audit.requests import actor_for
from patients.models import Patient
from screening import study
from screening.forms import ScreeningForm
from screening.models import Visit
from screening.services.visits import (
    RecentVisitRecorded,
    Recorded,
    SubmissionOfAnotherPatient,
    VisitAlreadyAmended,
    amend_visit,
    newer_visit,
    open_visit,
    record_form_view,
    record_visit,
)

OTHER_PATIENTS_FORM = (
    "This form was already used to record a visit of another patient, so nothing was recorded "
    "for this patient. Check that the answers below are this patient's, then submit again to "
    "record a new visit."
)
ALREADY_RECORDED = (
    "This form had already been submitted, so nothing new was recorded; this is the visit it "
    "recorded. To correct it, use Amend."
)


def _after_submit(request: HttpRequest, recorded: Recorded, done: str) -> HttpResponse:
    if recorded.created:
        messages.success(request, done)
    else:
        messages.info(request, ALREADY_RECORDED)
    return redirect(recorded.visit)


@permission_required("screening.add_visit", raise_exception=True)
def visit_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    form = ScreeningForm(request.POST or None, patient=patient)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            recorded = record_visit(
                patient=patient,
                **form.visit_data(),
                check_recent=not form.another_encounter_confirmed,
                actor=actor_for(request),
            )
        except SubmissionOfAnotherPatient:
            form.refuse_submission(OTHER_PATIENTS_FORM)
            status = 400
        except RecentVisitRecorded as recent:
            form.warn_recent(recent.recent)
        else:
            return _after_submit(request, recorded, "Visit recorded.")
    record_form_view(patient=patient, amends=None, actor=actor_for(request))
    context = {"form": form, "patient": patient, "nav": "patients"}
    return render(request, "screening/visit_form.html", context, status=status)


@permission_required("screening.view_visit", raise_exception=True)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        report = open_visit(visit_id=pk, actor=actor_for(request))
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None
    context = {"report": report, "visit": report.visit, "study": study, "nav": "patients"}
    return render(request, "screening/visit_detail.html", context)


@permission_required("screening.add_visit", raise_exception=True)
def visit_amend(request: HttpRequest, pk: int) -> HttpResponse:
    original = get_object_or_404(Visit.objects.select_related("patient"), pk=pk)
    if request.method == "GET" and (newer := newer_visit(original)) is not None:
        messages.info(request, f"Visit {original.pk} was already amended; amend the newest one.")
        return redirect(newer)
    initial = ScreeningForm.initial_from(original)
    form = ScreeningForm(
        request.POST or None, initial=initial, patient=original.patient, amends=original
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            recorded = amend_visit(
                original=original,
                **form.visit_data(),
                reason=form.amendment_reason,
                actor=actor_for(request),
            )
        except VisitAlreadyAmended as error:
            messages.error(request, f"Someone amended visit {original.pk} first: nothing saved.")
            return redirect(error.newest)
        except SubmissionOfAnotherPatient:
            form.refuse_submission(OTHER_PATIENTS_FORM)
            status = 400
        else:
            return _after_submit(request, recorded, f"Amendment recorded; it replaces visit {pk}.")
    record_form_view(patient=original.patient, amends=original, actor=actor_for(request))
    context = {"form": form, "patient": original.patient, "original": original, "nav": "patients"}
    return render(request, "screening/visit_form.html", context, status=status)
