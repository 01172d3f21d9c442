"""screening.followup and flags.flags_for_instrument: each flag kind's instrument, the result in
words, the banner a result needs and the outcome it suggests (INSTRUMENTS.md sections 1-4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening import flags, followup
from screening.instrument_forms import SKIP_GATES
from screening.instruments import QUESTIONS, Instrument, asked_items, score

ASQ = {"asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": None}
ACUTE = {**ASQ, "asq_4": "yes", "asq_5": "refused"}
NON_ACUTE = {**ASQ, "asq_1": "refused", "asq_5": "no"}
PHQ9_ZERO = {**{f"phq9_{n}": 0 for n in range(1, 10)}, "phq9_difficulty": None}
PHQ9_12 = {**PHQ9_ZERO, "phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3}
PHQ9_MDD_SAFETY = {**PHQ9_ZERO, "phq9_1": 2, "phq9_2": 2, "phq9_3": 2, "phq9_4": 2, "phq9_9": 1}
LBP = {
    "lbp_duration": "3_6_months",
    "lbp_frequency": "every_day_or_nearly",
    "peg_pain": 5,
    "peg_enjoyment": 4,
    "peg_activity": 4,
}


def result(instrument, answers):
    return score(Instrument(instrument), answers).as_dict()


@pytest.mark.parametrize(
    ("instrument", "answers", "code", "acute"),
    [
        ("asq", ACUTE, "acute_positive", True),
        ("asq", NON_ACUTE, "non_acute_positive", False),
        ("phq9", PHQ9_MDD_SAFETY, "phq9_safety", False),
    ],
)
def test_a_positive_asq_or_an_endorsed_item_9_needs_its_banner(instrument, answers, code, acute):
    shown = followup.banner(instrument, result(instrument, answers))
    assert shown is not None
    assert (shown.code, shown.acute) == (code, acute)
    assert shown.steps


def test_the_acute_banner_says_do_not_leave_alone_with_the_four_steps():
    shown = followup.banner("asq", result("asq", ACUTE))
    assert shown.heading == "Do not leave the patient alone: emergency evaluation now"
    assert [step.split()[0] for step in shown.steps] == ["Stay", "Remove", "Call", "Notify"]


@pytest.mark.parametrize(
    ("instrument", "answers"), [("asq", ASQ), ("phq9", PHQ9_12), ("lbp_peg", LBP)]
)
def test_no_banner_when_negative_or_without_item_9(instrument, answers):
    assert followup.banner(instrument, result(instrument, answers)) is None


@pytest.mark.parametrize(
    ("instrument", "answers", "words"),
    [
        ("asq", ASQ, "Negative"),
        ("asq", ACUTE, "Acute positive: imminent risk"),
        ("phq9", PHQ9_12, "Score 12 of 27 (moderate): positive (score 10 or more)"),
        ("phq9", PHQ9_ZERO, "Score 0 of 27 (minimal): below 10"),
        (
            "phq9",
            PHQ9_MDD_SAFETY,
            "Score 9 of 27 (mild): below 10; diagnostic algorithm met; item 9 endorsed",
        ),
        ("lbp_peg", LBP, "Chronic low back pain; PEG score 4.3 of 10"),
        ("lbp_peg", {**LBP, "lbp_duration": "1_3_months"}, "Not chronic low back pain; PEG"),
    ],
)
def test_the_summary_words_the_result(instrument, answers, words):
    assert followup.summary(instrument, result(instrument, answers)).startswith(words)


@pytest.mark.parametrize(
    ("kind", "instrument", "answers", "suggested"),
    [
        ("assess_depression", "phq9", PHQ9_12, "confirmed_referred"),
        ("assess_depression", "phq9", PHQ9_ZERO, "not_present"),
        ("assess_back_pain", "lbp_peg", LBP, "confirmed_referred"),
        (
            "assess_back_pain",
            "lbp_peg",
            {**LBP, "lbp_frequency": "less_than_half_the_days"},
            "not_present",
        ),
        ("safety", "asq", ASQ, "safety_assessed"),
        # a positive ASQ never closes a SAFETY flag by itself (section 4)
        ("safety", "asq", ACUTE, None),
        ("safety", "asq", NON_ACUTE, None),
        # only the flag kind's own instrument suggests its outcome
        ("assess_depression", "lbp_peg", LBP, None),
        ("safety", "phq9", PHQ9_12, None),
    ],
)
def test_the_suggested_outcome_follows_section_4(kind, instrument, answers, suggested):
    assert followup.suggested_outcome(kind, instrument, result(instrument, answers)) == suggested


def test_each_flag_kind_has_its_instrument():
    assert followup.INSTRUMENT_FOR_KIND == {
        "safety": Instrument.ASQ,
        "assess_depression": Instrument.PHQ9,
        "assess_back_pain": Instrument.LBP_PEG,
    }


@pytest.mark.parametrize(("item_9", "answer"), [(1, "several days"), (3, "nearly every day")])
def test_phq9_item_9_raises_an_urgent_safety_flag(item_9, answer):
    answers = {**PHQ9_ZERO, "phq9_9": item_9}
    (spec,) = flags.flags_for_instrument("phq9", result("phq9", answers), item_9)
    assert (spec.kind, spec.priority) == (flags.FlagKind.SAFETY, flags.Priority.URGENT)
    assert f"answered {answer};" in spec.reason


@pytest.mark.parametrize(
    ("instrument", "answers"), [("phq9", PHQ9_12), ("asq", ACUTE), ("lbp_peg", LBP)]
)
def test_no_flag_from_an_instrument_without_item_9(instrument, answers):
    assert flags.flags_for_instrument(instrument, result(instrument, answers), None) == ()


def _browser_asked(instrument: Instrument, answers: dict) -> frozenset[str]:
    """What static/js/instrument-form.js shows: every question but those a gate hides."""
    shown = set()
    for question in QUESTIONS[instrument]:
        gate = SKIP_GATES[instrument].get(question.key)
        if gate is None or any(str(answers.get(key)) in gate["values"] for key in gate["any_of"]):
            shown.add(question.key)
    return frozenset(shown)


@st.composite
def partial_answers(draw, instrument):
    return {
        q.key: draw(st.one_of(st.none(), st.sampled_from(q.codes))) for q in QUESTIONS[instrument]
    }


@pytest.mark.parametrize("instrument", list(Instrument))
@given(data=st.data())
def test_the_browser_gates_ask_what_asked_items_asks(instrument, data):
    answers = data.draw(partial_answers(instrument))
    assert _browser_asked(instrument, answers) == asked_items(instrument, answers)
