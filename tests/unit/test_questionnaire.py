"""The one questionnaire definition: its choices, gates and the tables docs/criteria.md shows."""

from pathlib import Path

from screening import questionnaire

DOCS = Path(__file__).resolve().parents[2] / "docs" / "criteria.md"
START = "<!-- questionnaire tables: start -->\n"
END = "<!-- questionnaire tables: end -->"


def test_docs_show_the_questionnaire_tables_when_read():
    text = DOCS.read_text(encoding="utf-8")
    shown = text[text.index(START) + len(START) : text.index(END)]

    assert shown == questionnaire.markdown_tables()


def test_every_item_and_answer_label_is_in_the_docs_tables_when_printed():
    tables = questionnaire.markdown_tables()

    for key, item in questionnaire.ITEMS.items():
        assert f"`{key}` | {item.midus} | {item.text} |" in tables
        for code, label in item.choices or ():
            assert f"`{code}` {label}" in tables
    assert "| `height_cm` | B1SA37 | Height (cm) | 50 to 272 |" in tables
    assert "| `antidepressant_use` | - | Currently taking an antidepressant? | Yes / No |" in tables


def test_choice_pairs_are_codes_with_labels_in_order_when_listed():
    assert questionnaire.Stem.choices()[:2] == (("yes", "Yes"), ("no", "No"))
    assert questionnaire.Stem.ON_ANTIDEPRESSANTS.label == "Was on anti-depressants (volunteered)"
    assert questionnaire.Stem.YES == "yes"


def test_stems_are_numbered_as_the_interview_says_them_when_asked():
    assert questionnaire.PATH_A.number("da_frequency") == "A3"
    assert questionnaire.PATH_B.number("an_lost_interest_2wk") == "B1"
    assert questionnaire.PATH_B.number("an_tired") == ""


def test_measurements_have_a_range_and_choices_none_when_defined():
    height = questionnaire.COVARIATES["height_cm"]
    smoking = questionnaire.COVARIATES["smoking"]

    assert (height.low, height.high, height.yes_no) == (50, 272, False)
    assert smoking.choices == questionnaire.Smoking.choices()
    assert not smoking.yes_no
    assert questionnaire.COVARIATES["regular_exercise"].yes_no
