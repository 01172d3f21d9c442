"""Placeholder: the screening form and result page (issue 5) replace this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("screening.add_visit", raise_exception=True)
def visit_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "New visit"})


@permission_required("screening.view_visit", raise_exception=True)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Visit"})


@permission_required("screening.add_visit", raise_exception=True)
def visit_amend(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Amend"})
