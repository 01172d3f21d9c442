"""Exports (admin only): the page with its count, the live count, the audited download, and the
background jobs an export too large to stream becomes (exports/jobs.py)."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.requests import actor_for
from exports import jobs, writers
from exports.export import Dataset, Format, rows_noun
from exports.forms import ExportForm
from exports.models import ExportJob
from exports.selectors import count_rows
from exports.services import StartedExport, start_export

PERMISSION = "screening.export_visit"


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def exports(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    count = count_rows(form.export()) if form.is_valid() else None
    return _page(request, form, count)


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def export_count(request: HttpRequest) -> JsonResponse:
    """The number of visits (or instruments) the choices match, for the page's script."""
    form = _form(request)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    export = form.export()
    count = count_rows(export)
    dataset = export.options.dataset
    return JsonResponse(
        {
            "count": count,
            "text": count_text(count, dataset),
            "job": jobs.needs_job(export.format, count),
        }
    )


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def export_download(request: HttpRequest) -> HttpResponse:
    """The file, streamed; the audit row and the announced count are written before it starts,
    the closing audit row when it has all gone out or stopped early."""
    form = _form(request)
    if not form.is_valid():
        return _page(request, form, None, status=400)
    export = form.export()
    count = count_rows(export)
    if jobs.needs_job(export.format, count):
        # too large to stream in one request: the page offers the background job instead
        return _page(request, form, count, status=409)
    started = start_export(export=export, actor=actor_for(request))
    return _file_response(started)


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def job_create(request: HttpRequest) -> HttpResponse:
    """Queue the export the choices describe as a background job, then show its page."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, form, None, status=400)
    job = jobs.queue_job(export=form.export(), actor=actor_for(request))
    return redirect("exports:job", job_id=job.pk)


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    context = {"nav": "exports", "job": job, "format_label": Format(job.format).label}
    return render(request, "exports/job.html", context)


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """How far the job has got, for the job page's script."""
    job = _job(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "rows_written": job.rows_written,
            "rows_announced": job.rows_announced,
            "active": job.active,
        }
    )


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def job_file(request: HttpRequest, job_id: int) -> HttpResponse:
    """The finished job's file, audited; 410 once it has expired."""
    job = _job(request, job_id)
    download = jobs.open_download(job=job, actor=actor_for(request))
    if download is None:
        return render(
            request, "exports/job.html", {"nav": "exports", "job": job, "gone": True}, status=410
        )
    return FileResponse(
        download.file,
        as_attachment=True,
        filename=download.filename,
        content_type=download.content_type,
    )


def _job(request: HttpRequest, job_id: int) -> ExportJob:
    """The job, when this user may see it: others get the same 404 as a job that is not there."""
    job = get_object_or_404(ExportJob, pk=job_id)
    if not jobs.may_use(job, request.user):
        raise Http404
    return job


def count_text(count: int, dataset: str = Dataset.VISITS) -> str:
    noun = rows_noun(dataset, count)
    return f"{count:,} {noun} matches" if count == 1 else f"{count:,} {noun} match"


def _form(request: HttpRequest) -> ExportForm:
    # the first visit to the page (or a bare download link) takes the defaults
    if not any(name in request.GET for name in ExportForm.base_fields):
        data = QueryDict(mutable=True)
        data.update(ExportForm.default_data())
        return ExportForm(data)
    return ExportForm(request.GET)


def _page(
    request: HttpRequest,
    form: ExportForm,
    count: int | None,
    *,
    status: int = 200,
) -> HttpResponse:
    query = QueryDict(mutable=True)
    for name in form.fields:
        query.setlist(name, form.data.getlist(name))
    dataset = form.export().options.dataset if form.is_valid() else Dataset.VISITS
    export_format = form.cleaned_data["format"] if form.is_valid() else ""
    context = {
        "nav": "exports",
        "form": form,
        "count": count,
        "count_text": count_text(count, dataset) if count is not None else "",
        "noun": rows_noun(dataset, 2),
        "query": query.urlencode(),
        "format_label": Format(export_format).label if export_format else "",
        "job_needed": count is not None
        and bool(export_format)
        and jobs.needs_job(export_format, count),
        "hidden_choices": [
            (name, value) for name in form.fields for value in form.data.getlist(name)
        ],
        "jobs": jobs.recent_jobs(request.user),
        "csv_threshold": f"{jobs.threshold(Format.CSV):,}",
        "built_threshold": f"{jobs.threshold(Format.XLSX):,}",
        "expiry_hours": settings.EXPORT_JOB_EXPIRY_HOURS,
    }
    return render(request, "exports/exports.html", context, status=status)


def _file_response(started: StartedExport) -> HttpResponse:
    export = started.export
    # a workbook is built first and sent with its length, so the page's progress bar knows it
    pieces, length = writers.pieces(started)
    response = StreamingHttpResponse(pieces, content_type=export.content_type)
    if length is not None:
        response["Content-Length"] = str(length)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Cache-Control: NoStoreMiddleware, as every page
    response["X-Export-Rows"] = str(started.row_count)
    return response
