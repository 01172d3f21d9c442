"""The patient's wording covers the questionnaire exactly: every answer key has its question,
and every item offers the same codes in the same order (issue 17, point 2)."""

import pytest

from intake.wording import PATIENT_TEXT, patient_choices
from screening import questionnaire


def test_every_answer_key_has_patient_wording_and_no_other_key_does():
    assert set(PATIENT_TEXT) == set(questionnaire.ANSWER_KEYS)


@pytest.mark.parametrize("key", questionnaire.ANSWER_KEYS)
def test_patient_options_have_the_questionnaires_codes_in_order(key):
    choices = questionnaire.ITEMS[key].choices
    codes = [code for code, _ in patient_choices(key)]
    assert codes == ([code for code, _ in choices] if choices else ["yes", "no"])


@pytest.mark.parametrize("key", questionnaire.ANSWER_KEYS)
def test_patient_wording_speaks_to_the_patient(key):
    text = PATIENT_TEXT[key]
    assert text.endswith(("?", "."))
    assert "the patient" not in text.lower()
    assert "volunteered" not in " ".join(label for _, label in patient_choices(key))
