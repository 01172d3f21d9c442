"""The database's choice sets and the pure domain speak the same codes (CRITERIA.md section 7)."""

import pytest

from screening import criteria, flags, models, questionnaire


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


def test_every_answer_key_is_a_visit_field_with_its_midus_code():
    fields = {f.name: f for f in models.Visit._meta.get_fields()}
    for key, item in questionnaire.ITEMS.items():
        assert key in fields, key
        assert fields[key].help_text == item.midus, key
        if item.choices is None:
            assert fields[key].get_internal_type() == "BooleanField", key
        else:
            assert [code for code, _ in fields[key].choices] == [c for c, _ in item.choices], key
