"""Sign-in (password, then a TOTP code where needed), user administration, the health check."""

import time
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp, selectors, services
from accounts.forms import (
    CodeForm,
    OwnPasswordForm,
    PasswordResetForm,
    RoleForm,
    SignInForm,
    UserCreateForm,
    UserSearchForm,
)
from accounts.middleware import LAST_SEEN_KEY, SIGNED_OUT_REASON_KEY, TEMPORARY_PASSWORD_KEY
from audit.requests import actor_for, client_ip
from audit.services import Actor

PAGE_SIZE = 50


class SignInView(auth_views.LoginView):
    """Django's sign-in view that also says why the last session ended, and hands users with
    two-factor (or who must enrol) to the second step instead of signing them in."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signed_out_reason"] = self.request.session.pop(SIGNED_OUT_REASON_KEY, None)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if otp.confirmed_device(user) is not None:
            otp.park(self.request, user, self.get_success_url())
            return redirect("login_otp")
        if otp.enrolment_required(user):
            otp.park(self.request, user, self.get_success_url())
            return redirect("login_otp_enrol")
        return super().form_valid(form)


def _finish_sign_in(request: HttpRequest, parked: otp.Pending, device: TOTPDevice) -> HttpResponse:
    otp.unpark(request)
    login(request, parked.user, backend=parked.backend)
    django_otp.login(request, device)
    return redirect(parked.next_url)


def _expired(request: HttpRequest) -> HttpResponse:
    otp.unpark(request)
    messages.warning(request, "Sign-in took too long. Please enter your password again.")
    return redirect("login")


@login_not_required
@never_cache
@sensitive_post_parameters("code")
def login_otp(request: HttpRequest) -> HttpResponse:
    """Second sign-in step: the code from the user's authenticator app."""
    parked = otp.pending(request)
    device = otp.confirmed_device(parked.user) if parked else None
    if parked is None or device is None:
        return _expired(request)
    form = CodeForm(
        request.POST or None,
        submit="Verify and sign in",
        user=parked.user,
        device=device,
        during_sign_in=True,
        actor=actor_for(request),
    )
    if form.is_valid():
        return _finish_sign_in(request, parked, device)
    return render(request, "registration/login_otp.html", {"form": form})


@login_not_required
@never_cache
@sensitive_post_parameters("code")
def login_otp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrolment the clinic requires before a reviewer's or admin's first page."""
    parked = otp.pending(request)
    if parked is None or not otp.enrolment_required(parked.user):
        return _expired(request)
    device = otp.unconfirmed_device(parked.user)
    form = CodeForm(
        request.POST or None,
        submit="Confirm and sign in",
        user=parked.user,
        device=device,
        during_sign_in=True,
        actor=actor_for(request),
    )
    if form.is_valid():
        services.confirm_two_factor(device=device, actor=Actor(parked.user, client_ip(request)))
        return _finish_sign_in(request, parked, device)
    context = {"form": form, "uri": device.config_url, "qr": otp.qr_svg(device.config_url)}
    return render(request, "registration/login_otp_enrol.html", context)


@permission_required(otp.TWO_FACTOR_PERMISSION, raise_exception=True)
@sensitive_post_parameters("code")
def two_factor(request: HttpRequest) -> HttpResponse:
    """A reviewer's or admin's own two-factor setting: enrol with a code, or remove it."""
    device = otp.confirmed_device(request.user)
    if device is not None:
        context = {"device": device, "required": settings.OTP_REQUIRED_FOR_STAFF_ROLES}
        return render(request, "accounts/two_factor.html", context)
    device = otp.unconfirmed_device(request.user)
    form = CodeForm(
        request.POST or None,
        submit="Confirm",
        user=request.user,
        device=device,
        during_sign_in=False,
        actor=actor_for(request),
    )
    if form.is_valid():
        services.confirm_two_factor(device=device, actor=actor_for(request))
        django_otp.login(request, device)
        messages.success(
            request, "Two-factor sign-in is on. You will need a code each time you sign in."
        )
        return redirect("two_factor")
    context = {"form": form, "uri": device.config_url, "qr": otp.qr_svg(device.config_url)}
    return render(request, "accounts/two_factor.html", context)


@require_POST
@permission_required(otp.TWO_FACTOR_PERMISSION, raise_exception=True)
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Turn off one's own two-factor sign-in, unless the clinic requires it."""
    if settings.OTP_REQUIRED_FOR_STAFF_ROLES:
        messages.error(request, "Your clinic requires two-factor sign-in; it cannot be turned off.")
    else:
        services.remove_two_factor(user=request.user, actor=actor_for(request))
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("two_factor")


@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    """Any signed-in user replaces their own password (e.g. a temporary one)."""
    form = OwnPasswordForm(request.user, request.POST or None)
    if form.is_valid():
        user = services.change_own_password(
            user=request.user,
            password=form.cleaned_data["new_password1"],
            actor=actor_for(request),
        )
        update_session_auth_hash(request, user)
        request.session.pop(TEMPORARY_PASSWORD_KEY, None)
        messages.success(request, "Your password has been changed.")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@permission_required("auth.view_user", raise_exception=True)
def users(request: HttpRequest) -> HttpResponse:
    """Every account with its role, status and two-factor state, 50 a page; `q` searches
    usernames and names (staff accounts, not PHI, so the text may sit in the URL). A search is
    audited with its result count, not its text, as patient search is."""
    search = UserSearchForm({"q": request.GET.get("q", "")[:100]})
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if search.errors:
        messages.error(request, "That search cannot be used; type a username or a name.")
    page_number = request.GET.get("page")
    if query:
        page = services.search_users(query=query, page_number=page_number, actor=actor_for(request))
    else:
        page = Paginator(selectors.user_list(), PAGE_SIZE).get_page(page_number)
    extra = urlencode({"q": query}) + "&" if query else ""  # pages keep the search
    context = {"page": page, "nav": "users", "query": query, "extra": extra}
    return render(request, "accounts/users.html", context)


@permission_required("auth.add_user", raise_exception=True)
@sensitive_post_parameters("password1", "password2")
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        user = services.create_user(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=data["role"],
            password=data["password1"],
            actor=actor_for(request),
        )
        messages.success(
            request, f"User {user.username} created. Give them the temporary password in person."
        )
        return redirect("user_edit", pk=user.pk)
    return render(request, "accounts/user_new.html", {"form": form, "nav": "users"})


def _target(pk: int) -> User:
    try:
        return selectors.user_for_admin(pk)
    except User.DoesNotExist:
        raise Http404("no such user") from None


@permission_required("auth.change_user", raise_exception=True)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A user's page: their role (changeable), status, and links to the other account actions."""
    target = _target(pk)
    initial = {"role": services.role_of(target)}
    form = RoleForm(request.POST or None, initial=initial, target=target, acting_user=request.user)
    if form.is_valid():
        services.change_role(user=target, role=form.cleaned_data["role"], actor=actor_for(request))
        messages.success(request, f"{target.username} is now a {form.cleaned_data['role']}.")
        return redirect("user_edit", pk=target.pk)
    context = {"target": target, "form": form, "role": initial["role"], "nav": "users"}
    return render(request, "accounts/user_edit.html", context)


@permission_required("auth.change_user", raise_exception=True)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then stop the account signing in; it is never deleted."""
    target = _target(pk)
    if request.method == "POST":
        try:
            services.deactivate(user=target, actor=actor_for(request))
        except services.SelfLockout as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, f"{target.username} is deactivated and can no longer sign in."
            )
        return redirect("user_edit", pk=target.pk)
    return render(request, "accounts/user_deactivate.html", {"target": target, "nav": "users"})


@require_POST
@permission_required("auth.change_user", raise_exception=True)
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(pk)
    services.reactivate(user=target, actor=actor_for(request))
    messages.success(request, f"{target.username} can sign in again.")
    return redirect("user_edit", pk=target.pk)


@permission_required("auth.change_user", raise_exception=True)
@sensitive_post_parameters("new_password1", "new_password2")
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin sets a temporary password; it ends the user's sessions and lifts a lockout."""
    target = _target(pk)
    form = PasswordResetForm(target, request.POST or None)
    if form.is_valid():
        services.reset_password(
            user=target,
            password=form.cleaned_data["new_password1"],
            actor=actor_for(request),
        )
        messages.success(
            request,
            f"Password reset for {target.username}. Give them the temporary password in person.",
        )
        return redirect("user_edit", pk=target.pk)
    return render(
        request, "accounts/user_password.html", {"target": target, "form": form, "nav": "users"}
    )


@require_POST
@permission_required("auth.change_user", raise_exception=True)
def user_two_factor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a user's authenticator (a lost phone); they enrol again when next required."""
    target = _target(pk)
    services.remove_two_factor(user=target, actor=actor_for(request))
    messages.success(request, f"Two-factor sign-in removed for {target.username}.")
    return redirect("user_edit", pk=target.pk)


def home(request: HttpRequest) -> HttpResponse:
    """Reviewers land on the review queue, where safety flags wait; everyone else on search."""
    if request.user.has_perm("screening.review_flag"):
        return redirect("review:queue")
    return redirect("patients:search")


@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """Input on a page that makes no request (a long form being typed) counts as activity: the
    browser posts here now and then, and the idle count restarts now (static/js/idle.js times
    its warning from this answer). A session already idle too long was ended by
    IdleTimeoutMiddleware on the way in (a redirect to sign-in)."""
    request.session[LAST_SEEN_KEY] = time.time()
    return HttpResponse(status=204)


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
