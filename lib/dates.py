"""The clinic's calendar days as instants: a person picks dates, the database stores instants."""

import datetime as dt

from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the clinic's time zone (TIME_ZONE), as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_range(
    first: dt.date | None, last: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Inclusive local dates as a half-open range of instants, [start of first, start of the day
    after last), so an index on the instant serves it; None leaves that end open."""
    start = day_start(first) if first is not None else None
    end = day_start(last + dt.timedelta(days=1)) if last is not None else None
    return start, end
