"""Placeholder: the review queue (issue 6) replaces this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse


@permission_required("screening.review_flag", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Review queue")


@permission_required("screening.review_flag", raise_exception=True)
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("Flag")
