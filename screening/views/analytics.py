"""Placeholder: analytics (issue 8) replace this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("screening.view_analytics", raise_exception=True)
def analytics(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Analytics"})
