"""Placeholder: patient search, registration and the patient page (issue 5) replace this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse


@permission_required("patients.view_patient", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Patients")


@permission_required("patients.add_patient", raise_exception=True)
def register(request: HttpRequest) -> HttpResponse:
    return HttpResponse("New patient")


@permission_required("patients.view_patient", raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("Patient")
