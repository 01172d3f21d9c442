"""The audit log page and its CSV download, each itself audited.

The filter is POSTed and kept in the session as a patient id, so the MRN an officer types never
appears in a URL (browser history, proxy and server logs); only `?page=N` does.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.export import csv_lines
from audit.forms import AuditFilterForm
from audit.requests import actor_for
from audit.selectors import AuditFilter, csv_rows
from audit.services import read_audit_log, start_audit_export

FILTER_KEY = "audit_filter"
VIEWED_KEY = "audit_viewed"  # the filter whose viewing this session last recorded


FILTER_DROPPED = "The saved filter could not be read, so it was cleared: set it again."


def _current_filter(request: HttpRequest) -> AuditFilter | None:
    """The filter kept in the session, or None when it no longer reads back whole (altered, or
    from before a rule changed, such as the range of dates): it is dropped with a message."""
    stored = request.session.get(FILTER_KEY)
    audit_filter = AuditFilter.from_dict(stored)
    if stored is not None and audit_filter.as_dict() != stored:
        request.session.pop(FILTER_KEY)
        messages.warning(request, FILTER_DROPPED)
        return None
    return audit_filter


@permission_required("audit.view_audit", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did what, 50 rows a page, filtered by user, patient, action and dates."""
    audit_filter = _current_filter(request) or AuditFilter()
    form = AuditFilterForm.for_filter(audit_filter)
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(FILTER_KEY, None)
            return redirect("audit:log")
        form = AuditFilterForm(request.POST)
        if form.is_valid():
            request.session[FILTER_KEY] = form.to_filter().as_dict()
            return redirect("audit:log")
        # a refused filter shows its errors and no entries: a list under it would read as
        # the filter's result, though it is the previous filter's or the whole log
        return render(request, "audit/log.html", {"form": form, "invalid": True, "nav": "audit"})
    # one AUDIT_VIEW row per filter per session: paging or reloading under the same filter
    # adds none; a new filter (or a new session) is recorded again
    viewed = audit_filter.as_dict()
    record = request.session.get(VIEWED_KEY) != viewed
    page = read_audit_log(
        audit_filter=audit_filter,
        page_number=request.GET.get("page"),
        actor=actor_for(request),
        record=record,
    )
    if record:
        request.session[VIEWED_KEY] = viewed
    context = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "filtered": bool(audit_filter.as_dict()),
        "nav": "audit",
    }
    return render(request, "audit/log.html", context)


@require_POST
@permission_required("audit.view_audit", raise_exception=True)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The rows of the filter in force as CSV, streamed; the download is audited first. With the
    saved filter dropped, the log is shown again, not every row downloaded."""
    audit_filter = _current_filter(request)
    if audit_filter is None:
        return redirect("audit:log")
    start_audit_export(audit_filter=audit_filter, actor=actor_for(request))
    response = StreamingHttpResponse(
        csv_lines(csv_rows(audit_filter)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
