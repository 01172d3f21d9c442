"""docs/instruments.md states what the rules hold: the version, every key and question, the
bands and cut-points, so the page cannot drift from the module."""

from pathlib import Path

import pytest

from screening.instruments import QUESTIONS, RULES_VERSION, Instrument, lbp_peg, phq9

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "instruments.md").read_text(encoding="utf-8")


def test_docs_name_the_rules_version_when_read():
    assert f"Rules version **{RULES_VERSION}**" in DOCS


@pytest.mark.parametrize("instrument", list(Instrument))
def test_docs_show_every_key_when_read(instrument):
    for question in QUESTIONS[instrument]:
        assert f"`{question.key}`" in DOCS


@pytest.mark.parametrize("question", [*QUESTIONS[Instrument.ASQ], *lbp_peg.QUESTIONS])
def test_docs_quote_each_question_when_it_has_a_table_row(question):
    assert f"| `{question.key}` | {question.text}" in DOCS


def test_docs_give_the_phq9_bands_and_cut_point_when_read():
    floors = [floor for floor, _ in phq9.BAND_FLOORS]
    ranges = zip(floors, [*floors[1:], phq9.MAX_SCORE + 1], strict=True)
    bands = ", ".join(
        f"{low}-{high - 1} {band.label.lower()}"
        for (low, high), (_, band) in zip(ranges, phq9.BAND_FLOORS, strict=True)
    )

    assert f"**Severity band**: {bands}." in DOCS
    assert f"a score of **{phq9.POSITIVE_CUTOFF} or more**" in DOCS
    assert f"item 9 at **{phq9.SAFETY_LEVEL} or more**" in DOCS


def test_docs_give_the_peg_rounding_and_meaningful_change_when_read():
    assert "rounded half up to one decimal" in DOCS
    assert f"a **{lbp_peg.PEG_MEANINGFUL_DROP * 100:.0f}% drop**" in DOCS
