"""PHQ-9 response and remission and PEG meaningful change, each from the first score (issue 16,
point 6; INSTRUMENTS.md section 3 for the PEG's 30%)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.progress import (
    MEANINGFUL_IMPROVEMENT,
    MEANINGFUL_WORSENING,
    REMISSION,
    RESPONSE,
    follow_peg,
    follow_phq9,
)

quick = settings(database=None, max_examples=300)


def _marks(followed):
    return [item.marks for item in followed]


def test_nothing_is_followed_when_there_is_no_score():
    assert follow_phq9([]) == []
    assert follow_peg([]) == []


@pytest.mark.parametrize(
    ("later", "marks", "change"),
    [
        (6, (RESPONSE,), "-50%"),  # exactly half of 12: a response
        (7, (), "-42%"),
        (4, (RESPONSE, REMISSION), "-67%"),
        (12, (), "0%"),
        (18, (), "+50%"),
    ],
)
def test_a_phq9_is_marked_against_the_first_when_followed(later, marks, change):
    first, followed = follow_phq9([12, later])

    assert (first.first, first.marks, first.change_label) == (True, (), "baseline")
    assert (followed.marks, followed.change_label) == (marks, change)


def test_remission_without_response_is_marked_when_the_first_score_was_low():
    assert _marks(follow_phq9([6, 4, 5])) == [(), (REMISSION,), ()]


def test_the_first_score_is_never_marked_even_in_remission():
    assert follow_phq9([3])[0].marks == ()


def test_a_change_from_zero_has_no_percentage_when_followed():
    later = follow_phq9([0, 3])[1]

    assert (later.change, later.change_label, later.marks) == (None, "n/a", (REMISSION,))
    assert follow_peg([Decimal("0"), Decimal("5")])[1].marks == ()


@pytest.mark.parametrize(
    ("later", "marks", "change"),
    [
        ("4.2", (MEANINGFUL_IMPROVEMENT,), "-30%"),  # exactly 30% below 6.0
        ("4.3", (), "-28%"),
        ("7.8", (MEANINGFUL_WORSENING,), "+30%"),
        ("7.7", (), "+28%"),
    ],
)
def test_a_peg_change_of_30_percent_or_more_is_meaningful_when_followed(later, marks, change):
    followed = follow_peg([Decimal("6.0"), Decimal(later)])[1]

    assert (followed.marks, followed.change_label) == (marks, change)


@quick
@given(first=st.integers(1, 27), later=st.integers(0, 27))
def test_response_means_at_most_half_the_first_score_for_every_pair(first, later):
    assert (RESPONSE in follow_phq9([first, later])[1].marks) == (2 * later <= first)
