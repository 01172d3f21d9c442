"""The app's URLs plus two baselines that exist only in the benchmark (bench/bench_screening.py).

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


@require_POST
def one_row(request: HttpRequest) -> HttpResponse:
    """The floor any durable write pays: one row saved in one transaction."""
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_one_row (note) VALUES (%s)", [request.POST.get("note", "")]
        )
    return HttpResponse("saved", content_type="text/plain")


@permission_required("screening.add_visit", raise_exception=True)
@require_POST
def one_row_checked(request: HttpRequest) -> HttpResponse:
    """The one-row write behind the permission check every view of the app makes (STYLE.md)."""
    return one_row(request)


urlpatterns = [
    path("bench/ok/", ok, name="bench_ok"),
    path("bench/one-row/", one_row, name="bench_one_row"),
    path("bench/one-row-checked/", one_row_checked, name="bench_one_row_checked"),
    *app_urlpatterns,
]
