"""The app's URLs plus the baselines that exist only in the benchmark (bench/bench_screening.py).

Both baselines sit behind the same middleware as the app (session, sign-in, CSRF, CSP, axes), so
the difference to the screening submit is the submit's own work.
"""

from django.contrib.auth.decorators import permission_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as app_urlpatterns


def ok(request: HttpRequest) -> HttpResponse:
    """The trivial view: no database work beyond the session."""
    return HttpResponse("ok", content_type="text/plain")


def _save_rows(request: HttpRequest, count: int) -> HttpResponse:
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        for _ in range(count):
            cursor.execute(
                "INSERT INTO bench_one_row (note) VALUES (%s)", [request.POST.get("note", "")]
            )
    return HttpResponse("saved", content_type="text/plain")


@require_POST
def one_row(request: HttpRequest) -> HttpResponse:
    """The floor any durable write pays: one row saved in one transaction."""
    return _save_rows(request, 1)


@require_POST
def nine_rows(request: HttpRequest) -> HttpResponse:
    """About as many statements as a submit makes beyond the one-row view's (permissions,
    patient, lock, resubmission check, visit, flag lock, flags, events, audit), at raw-SQL cost:
    what they cost without the ORM and the form (for information)."""
    return _save_rows(request, 9)


@permission_required("screening.add_visit", raise_exception=True)
@require_POST
def one_row_checked(request: HttpRequest) -> HttpResponse:
    """The one-row write behind the permission check every view of the app makes (STYLE.md)."""
    return one_row(request)


@permission_required("screening.add_visit", raise_exception=True)
@require_POST
def floor(request: HttpRequest) -> HttpResponse:
    """The submit's floor (DESIGN.md "Performance targets"): what every submit must do at raw-SQL
    cost, without the ORM, the form or the rules. Session, CSRF, the permission check, and nine
    INSERTs in one transaction, as many statements as a submit writes (patient lock,
    resubmission check, visit, flag lock, flags, events, audit)."""
    return _save_rows(request, 9)


urlpatterns = [
    path("bench/ok/", ok, name="bench_ok"),
    path("bench/one-row/", one_row, name="bench_one_row"),
    path("bench/one-row-checked/", one_row_checked, name="bench_one_row_checked"),
    path("bench/nine-rows/", nine_rows, name="bench_nine_rows"),
    path("bench/floor/", floor, name="bench_floor"),
    *app_urlpatterns,
]
