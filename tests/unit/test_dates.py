"""lib.dates: the range of days a person may name, and days as instants."""

import datetime as dt

from lib.dates import EARLIEST_DAY, LATEST_DAY, day_range, day_start, within_range


def test_range_holds_its_ends_and_nothing_beyond():
    assert within_range(EARLIEST_DAY)
    assert within_range(LATEST_DAY)
    assert not within_range(EARLIEST_DAY - dt.timedelta(days=1))
    assert not within_range(LATEST_DAY + dt.timedelta(days=1))


def test_days_beyond_the_range_count_as_its_ends_when_turned_into_instants():
    """The day after 9999-12-31 overflowed; beyond the range there is no row to find."""
    assert day_range(dt.date.min, dt.date.max) == (
        day_start(EARLIEST_DAY),
        day_start(LATEST_DAY + dt.timedelta(days=1)),
    )


def test_open_ends_stay_open_when_not_given():
    assert day_range(None, None) == (None, None)
    assert day_range(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == (
        day_start(dt.date(2026, 3, 1)),
        day_start(dt.date(2026, 3, 2)),
    )
