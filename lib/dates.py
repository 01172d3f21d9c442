"""The clinic's calendar days as instants: a person picks dates, the database stores instants."""

import datetime as dt

from django.utils import timezone

# The days a person may name (filters, the audit filter kept in the session): every visit, flag
# and audit row lies between them (a visit is after the patient's birth, from 1900 on, and not in
# the future). Python's dates end at 9999-12-31, so the day after a far date, or the same instant
# in the clinic's time zone, overflowed (OverflowError: a 500) before there was this range.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
OUT_OF_RANGE = f"Enter a date from {EARLIEST_DAY:%Y-%m-%d} to {LATEST_DAY:%Y-%m-%d}."


def within_range(day: dt.date) -> bool:
    """The day lies from EARLIEST_DAY to LATEST_DAY, both included."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the clinic's time zone (TIME_ZONE), as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_range(
    first: dt.date | None, last: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Inclusive local dates as a half-open range of instants, [start of first, start of the day
    after last), so an index on the instant serves it; None leaves that end open.

    A day outside EARLIEST_DAY..LATEST_DAY counts as that end of the range, which holds every
    row: the forms refuse such days with a message, and this keeps any other caller from a 500.
    """
    start = day_start(max(first, EARLIEST_DAY)) if first is not None else None
    end = day_start(min(last, LATEST_DAY) + dt.timedelta(days=1)) if last is not None else None
    return start, end
