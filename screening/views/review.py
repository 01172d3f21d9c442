"""Placeholder: the review queue (issue 6) replaces this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("screening.review_flag", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Review queue"})


@permission_required("screening.review_flag", raise_exception=True)
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Flag"})
