"""Placeholder: the audit log page (issue 9) replaces this module."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse


@permission_required("audit.view_audit", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Audit log")
