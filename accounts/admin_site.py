"""The Django admin behind the app's own sign-in: one way in, with the second factor.

The admin's password-only login form is never shown; its login URL sends people to the app's
sign-in page and back. Sessions that still owe a code never get this far (accounts.middleware).
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class AdminSite(admin.AdminSite):
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:  # type: ignore[type-arg]
        """Send the visitor to the app's sign-in (password, then a code where required)."""
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url)
