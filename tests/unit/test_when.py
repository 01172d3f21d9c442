"""lib.when: a shown time is on the active zone's clock and names the zone."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from lib.when import when

AT = dt.datetime(2026, 12, 2, 13, 5, 9, tzinfo=dt.UTC)


def test_a_time_reads_in_the_active_zone_with_its_abbreviation():
    with timezone.override("Europe/Paris"):
        assert when(AT) == "2 Dec 2026 14:05 CET"
        assert when(AT, "seconds") == "2 Dec 2026 14:05:09 CET"


def test_the_filter_needs_no_load_in_a_template():
    with timezone.override("America/New_York"):
        text = Template("{{ at|when }}|{{ missing|when }}").render(Context({"at": AT}))
    assert text == "2 Dec 2026 08:05 EST|"
