"""Placeholder: the audit log page (issue 9) replaces this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("audit.view_audit", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Audit log"})
