from typing import Any

from django.conf import settings
from django.http import HttpRequest


def idle_timeout(request: HttpRequest) -> dict[str, Any]:
    """The session limits, for the browser's timer and the sign-in page's explanation."""
    return {
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60,
        "idle_timeout_minutes": settings.IDLE_TIMEOUT_MINUTES,
        "session_max_hours": settings.SESSION_MAX_HOURS,
    }
