"""Patient pages never run inside a clinician's session (issue 17, point 5)."""

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

PATIENT_PREFIX = "/self/"


class PatientModeMiddleware:
    """A request for a patient page (/self/...) on a browser where a clinician is signed in
    signs the clinician out first (the session is flushed and the sign-out audited), so a
    patient at a tablet can reach nothing of theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PATIENT_PREFIX) and request.user.is_authenticated:
            request.sign_out_reason = "patient_mode"  # type: ignore[attr-defined]  # for the audit row
            logout(request)
        return self.get_response(request)
