"""The covariates beside the screen (CRITERIA.md section 5): each is a choice, a yes/no question
or a measurement with the range a person can have, and never two of these."""

from decimal import Decimal

import pytest

from screening import questionnaire


@pytest.mark.parametrize("key", list(questionnaire.COVARIATES))
def test_covariate_is_one_kind_of_question_when_defined(key):
    covariate = questionnaire.COVARIATES[key]
    kinds = [covariate.choices is not None, covariate.yes_no, covariate.low is not None]

    assert kinds.count(True) == 1
    assert (covariate.low is None) == (covariate.high is None)


def test_heights_and_weights_keep_their_ranges_when_defined():
    height, weight = questionnaire.COVARIATES["height_cm"], questionnaire.COVARIATES["weight_kg"]

    assert (height.low, height.high) == (Decimal(50), Decimal(272))
    assert (weight.low, weight.high) == (Decimal(20), Decimal(650))
