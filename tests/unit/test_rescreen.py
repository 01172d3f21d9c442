"""The re-screen rule (DESIGN.md "Flag rules"): a latest visit positive for exactly one
condition is due for the other once the interval has passed; the list's date cut-off agrees
with the rule on every day, month ends included."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.rescreen import add_months, cutoff, rescreen, span_label

quick = settings(database=None, max_examples=500)
DEC_3 = dt.date(2025, 12, 3)


def _seen(today: dt.date, *, back_pain: bool = True, major_depression: bool = False):
    return rescreen(
        back_pain=back_pain,
        major_depression=major_depression,
        visited_on=DEC_3,
        interval_months=12,
        today=today,
    )


@pytest.mark.parametrize(("back_pain", "major_depression"), [(True, True), (False, False)])
def test_nothing_is_due_when_the_visit_met_both_or_neither(back_pain, major_depression):
    assert (
        _seen(dt.date(2030, 1, 1), back_pain=back_pain, major_depression=major_depression) is None
    )


def test_depression_is_due_after_the_interval_when_back_pain_alone_was_met():
    due = _seen(dt.date(2026, 12, 3))

    assert due.due_on == dt.date(2026, 12, 3)
    assert due.reason == "back pain 2025-12-03; depression not met"
    assert due.summary == "back pain positive, depression not met"
    assert (due.due, due.overdue, due.when) == (True, False, "due today")


def test_back_pain_is_due_when_depression_alone_was_met():
    due = _seen(dt.date(2027, 1, 1), back_pain=False, major_depression=True)

    assert due.reason == "depression 2025-12-03; back pain not met"
    assert due.summary == "depression positive, back pain not met"
    assert due.not_met == "back pain"
    assert (due.due, due.overdue, due.when) == (True, True, "overdue by 4 weeks")


def test_a_rescreen_is_upcoming_not_due_before_its_day():
    due = _seen(dt.date(2026, 11, 12))

    assert (due.due, due.overdue, due.when) == (False, False, "due in 3 weeks")


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (DEC_3, DEC_3, "0 days"),
        (DEC_3, dt.date(2025, 12, 4), "1 day"),
        (DEC_3, dt.date(2025, 12, 16), "13 days"),
        (DEC_3, dt.date(2025, 12, 17), "2 weeks"),
        (DEC_3, dt.date(2026, 1, 10), "5 weeks"),
        (DEC_3, dt.date(2026, 2, 2), "8 weeks"),
        (DEC_3, dt.date(2026, 2, 3), "2 months"),
        (DEC_3, dt.date(2027, 12, 2), "23 months"),
        (DEC_3, dt.date(2027, 12, 3), "2 years"),
        (DEC_3, dt.date(2031, 1, 1), "5 years"),
    ],
)
def test_a_span_reads_in_its_largest_whole_unit_when_labelled(start, end, label):
    assert span_label(start, end) == label


def test_one_year_after_a_leap_day_is_the_last_of_february():
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)


days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


@quick
@given(visited=days, today=days, months=st.integers(min_value=1, max_value=60))
def test_the_list_cutoff_agrees_with_the_rule_on_every_day(visited, today, months):
    due = rescreen(
        back_pain=True,
        major_depression=False,
        visited_on=visited,
        interval_months=months,
        today=today,
    )

    assert due.due == (visited <= cutoff(today, months))
