"""The database's choice sets and the pure domain speak the same codes (CRITERIA.md section 7)."""

import pytest

from screening import criteria, flags, models


@pytest.mark.parametrize(
    ("model_choices", "domain_enum"),
    [
        (models.Path, criteria.Path),
        (models.FlagKind, flags.FlagKind),
    ],
)
def test_model_codes_equal_the_domain_codes(model_choices, domain_enum):
    assert list(model_choices.values) == [member.value for member in domain_enum]


def test_flag_priorities_equal_the_domain_priorities():
    assert {p.value: p.name for p in models.FlagPriority} == {
        p.value: p.name for p in flags.Priority
    }
