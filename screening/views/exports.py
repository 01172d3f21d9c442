"""Placeholder: exports (issue 7) replace this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("screening.export_visit", raise_exception=True)
def exports(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Exports"})
