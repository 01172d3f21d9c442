"""Sign-in, the home redirect and the load balancer's health check."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.middleware import SIGNED_OUT_REASON_KEY


class SignInView(auth_views.LoginView):
    """Django's sign-in view that also says why the last session ended."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signed_out_reason"] = self.request.session.pop(SIGNED_OUT_REASON_KEY, None)
        return context


def home(request: HttpRequest) -> HttpResponse:
    return redirect("patients:search")


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachability for load balancers; no login, no patient data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready", never a 500 page
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@permission_required("auth.change_user", raise_exception=True)
def users(request: HttpRequest) -> HttpResponse:
    """Placeholder: user administration (issue 9) replaces this."""
    return render(request, "placeholder.html", {"title": "Users"})
