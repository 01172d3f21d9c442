"""Patient search, registration and the patient page (issue 5, points 1 and 5)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.requests import actor_for
from audit.selectors import patient_access
from patients.forms import PatientForm, PatientSearchForm
from patients.models import Patient
from patients.services import (
    open_patient_record,
    record_duplicates_shown,
    register_patient,
    search_patients,
)

SEARCH_KEY = "patient_search"


@permission_required("patients.view_patient", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    # The search text is POSTed and kept in the session, never put in a URL (server and proxy
    # logs, browser history). The results show on the GET that follows, at ?page=N, so reload
    # and the back button work; /patients/ alone shows no patients until someone searches.
    form = PatientSearchForm(initial={"q": request.session.get(SEARCH_KEY, "")})
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(SEARCH_KEY, None)
            return redirect("patients:search")
        form = PatientSearchForm(request.POST)
        if form.is_valid():
            request.session[SEARCH_KEY] = form.cleaned_data["q"]
            return redirect(f"{reverse('patients:search')}?page=1")
    results = None
    if request.method == "GET" and "page" in request.GET and request.session.get(SEARCH_KEY):
        results = search_patients(
            query=request.session[SEARCH_KEY],
            page_number=request.GET["page"],
            actor=actor_for(request),
        )
    context = {"form": form, "results": results, "nav": "patients"}
    return render(request, "patients/search.html", context)


@permission_required("patients.add_patient", raise_exception=True)
def register(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in PatientForm.Meta.fields}
        patient = register_patient(**data, actor=actor_for(request))
        messages.success(request, "Patient registered.")
        return redirect(patient)
    if form.duplicates:
        record_duplicates_shown(patients=form.duplicates, actor=actor_for(request))
    return render(request, "patients/register.html", {"form": form, "nav": "patients"})


@permission_required("patients.view_patient", raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        record = open_patient_record(
            patient_id=pk, actor=actor_for(request), page_number=request.GET.get("page")
        )
    except Patient.DoesNotExist:
        raise Http404("No such patient.") from None
    context = {"record": record, "patient": record.patient, "nav": "patients"}
    if request.user.has_perm("audit.view_audit"):  # issue 9: the "accessed by" panel, admins only
        context["access_rows"] = patient_access(pk)
    return render(request, "patients/detail.html", context)
