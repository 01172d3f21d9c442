"""The one way a time is shown on a page: `{{ value|when }}` reads "2 Dec 2026 14:05 CET", in
settings.TIME_ZONE (the active zone) with its abbreviation, so a reader never has to guess
which clock a time is on. `{{ value|when:"seconds" }}` adds the seconds (the audit log).

Registered as a template builtin (config/settings.py TEMPLATES), so no `{% load %}` is needed;
`when()` is also called from Python for times put into messages.
"""

import datetime as dt

from django import template
from django.utils import dateformat, timezone

register = template.Library()

WHEN_FORMAT = "j M Y H:i T"
WHEN_SECONDS_FORMAT = "j M Y H:i:s T"


@register.filter(expects_localtime=False)
def when(value: dt.datetime | None, detail: str = "") -> str:
    """The aware datetime in the active time zone, with the zone's abbreviation; "" for None."""
    if not isinstance(value, dt.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(local, WHEN_SECONDS_FORMAT if detail == "seconds" else WHEN_FORMAT)
