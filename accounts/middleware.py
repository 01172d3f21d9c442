"""Idle sign-out (a session unused for IDLE_TIMEOUT_MINUTES ends, and the sign-in page says why),
and pages no browser or proxy may keep."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

LAST_SEEN_KEY = "last_seen"
SIGNED_OUT_REASON_KEY = "signed_out_reason"
# Refresh the stamp at most this often (a quarter of a short limit), so most requests do not
# write the session row.
_TOUCH_EVERY_SECONDS = 30


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                request.idle_sign_out = True  # type: ignore[attr-defined]
                logout(request)
                request.session[SIGNED_OUT_REASON_KEY] = "idle"
                return redirect(settings.LOGIN_URL)
            touch_every = min(_TOUCH_EVERY_SECONDS, settings.IDLE_TIMEOUT_MINUTES * 15)
            if now - last_seen >= touch_every or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
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
