"""Placeholder: patient search, registration and the patient page (issue 5) replace this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("patients.view_patient", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Patients"})


@permission_required("patients.add_patient", raise_exception=True)
def register(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "New patient"})


@permission_required("patients.view_patient", raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Patient"})
