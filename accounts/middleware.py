"""How long a session lives and what it may reach, and pages no browser or proxy may keep.

A session ends after IDLE_TIMEOUT_MINUTES without use and SESSION_MAX_HOURS after sign-in,
however busy (the sign-in page says why). A session of a two-factor role that has not given its
code reaches no page; a session signed in with a temporary password reaches only the page that
replaces it.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from accounts import otp, selectors

LAST_SEEN_KEY = "last_seen"
SIGNED_IN_AT_KEY = "signed_in_at"
SIGNED_OUT_REASON_KEY = "signed_out_reason"
TEMPORARY_PASSWORD_KEY = "password_set_by_admin"  # noqa: S105 (a session key)
# Refresh the stamp at most this often (a quarter of a short limit), so most requests do not
# write the session row.
_TOUCH_EVERY_SECONDS = 30
# Pages a session that owes something (a code, a new password) may still reach.
_SIGN_IN_URL_NAMES = ("login", "login_otp", "login_otp_enrol", "logout", "healthz")
# The FHIR API and CDS Hooks authenticate each request by its bearer token, never by a session
# (interop.auth): a browser's session cookie sent along is neither refreshed, ended nor
# redirected there, and the API answers 401 without a token whatever the session holds.
BEARER_PATH_PREFIXES = ("/fhir/", "/cds-services")


def _sign_out(request: HttpRequest, reason: str) -> HttpResponse:
    request.sign_out_reason = reason  # type: ignore[attr-defined]  # for the audit row
    logout(request)
    request.session[SIGNED_OUT_REASON_KEY] = reason
    return redirect(settings.LOGIN_URL)


def _bearer_only(request: HttpRequest) -> bool:
    return request.path_info.startswith(BEARER_PATH_PREFIXES)


def _reaches_only_sign_in(request: HttpRequest, *also: str) -> bool:
    return request.path in {reverse(name) for name in (*_SIGN_IN_URL_NAMES, *also)}


class IdleTimeoutMiddleware:
    """Ends a session idle for IDLE_TIMEOUT_MINUTES, or signed in SESSION_MAX_HOURS ago."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not _bearer_only(request):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            signed_in_at = request.session.setdefault(SIGNED_IN_AT_KEY, now)
            if now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                return _sign_out(request, "idle")
            if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
                return _sign_out(request, "expired")
            touch_every = min(_TOUCH_EVERY_SECONDS, settings.IDLE_TIMEOUT_MINUTES * 15)
            if now - last_seen >= touch_every or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """A session of a user who owes a code (a confirmed device, or a role the clinic requires
    to use two-factor) that was not verified with one ends before any page: no way in, the
    admin's included, skips the second step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not _bearer_only(request)
            and not user.is_verified()  # type: ignore[union-attr]
            and otp.code_owed(user)
            and not _reaches_only_sign_in(request)
        ):
            return _sign_out(request, "two_factor")
        return self.get_response(request)


class TemporaryPasswordMiddleware:
    """A user signed in with a password an admin set reaches only the page that replaces it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not _bearer_only(request):
            if TEMPORARY_PASSWORD_KEY not in request.session:  # once per session
                temporary = selectors.password_is_temporary(request.user)
                request.session[TEMPORARY_PASSWORD_KEY] = temporary
            if request.session[TEMPORARY_PASSWORD_KEY] and not _reaches_only_sign_in(
                request, "password_change", "keepalive"
            ):
                messages.info(
                    request,
                    "Your password was set by an administrator. Choose your own to continue.",
                )
                return redirect("password_change")
        return self.get_response(request)


class NoStoreMiddleware:
    """Every page may show patient data, so none is stored: Back after sign-out on a shared
    workstation, or a proxy's cache, shows nothing. (WhiteNoise answers static files before
    this runs, so those stay cacheable.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
