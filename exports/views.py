"""Exports (admin only): the page with its count, the live count, and the audited download."""

from django.contrib.auth.decorators import permission_required
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.requests import actor_for
from exports import writers
from exports.export import Dataset, Format, rows_noun
from exports.forms import ExportForm
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
    return JsonResponse({"count": count, "text": count_text(count, dataset)})


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def export_download(request: HttpRequest) -> HttpResponse:
    """The file, streamed; the audit row and the announced count are written before it starts,
    the closing audit row when it has all gone out or stopped early."""
    form = _form(request)
    if not form.is_valid():
        return _page(request, form, None, status=400)
    started = start_export(export=form.export(), actor=actor_for(request))
    return _file_response(started)


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
    problem: str | None = None,
) -> HttpResponse:
    query = QueryDict(mutable=True)
    for name in form.fields:
        query.setlist(name, form.data.getlist(name))
    dataset = form.export().options.dataset if form.is_valid() else Dataset.VISITS
    context = {
        "nav": "exports",
        "form": form,
        "count": count,
        "count_text": count_text(count, dataset) if count is not None else "",
        "noun": rows_noun(dataset, 2),
        "problem": problem,
        "query": query.urlencode(),
        "format_label": Format(form.cleaned_data["format"]).label if form.is_valid() else "",
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
