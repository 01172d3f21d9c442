"""The flag rules of DESIGN.md, on every combination of findings, and the study figures they cite."""

import pytest

from screening.criteria import classify
from screening.flags import (
    SAFETY_REASON,
    FlagKind,
    FlagSpec,
    Priority,
    flags_for,
    merge_priority,
)
from screening.study import (
    BACK_PAIN_FINDING,
    CITATION,
    DEPRESSION_FINDING,
    FIGURES,
    POPULATION_NOTE,
    Figure,
)

A_ENTERED = {"da_sad_2wk": "yes", "da_duration": "all_day_long", "da_frequency": "every_day"}
SYMPTOMS = ("da_tired", "da_concentration", "da_worthless", "da_lost_interest")
BACKACHE = {
    "back_pain": "several_times_a_week",
    "near": "once_a_week",
    "no": "not_at_all",
}
DEPRESSION: dict[str, dict[str, object]] = {
    "yes": {**A_ENTERED, **dict.fromkeys(SYMPTOMS, True)},
    "near": {**A_ENTERED, **dict.fromkeys(SYMPTOMS[:3], True)},
    "no": {"da_sad_2wk": "no", "an_lost_interest_2wk": "no"},
}
AD, AB, SAFETY = FlagKind.ASSESS_DEPRESSION, FlagKind.ASSESS_BACK_PAIN, FlagKind.SAFETY
ROUTINE, RAISED, COMORBID, URGENT = Priority


def flagged(answers: dict[str, object]) -> tuple[FlagSpec, ...]:
    return flags_for(answers, classify(answers))


def answers_for(back_pain: str, depression: str, safety: bool) -> dict[str, object]:
    """An answer set with those findings; the death item sits off the scored path."""
    answers = {"backache_freq_30d": BACKACHE[back_pain], **DEPRESSION[depression]}
    if safety:
        answers["an_death_thoughts"] = True
    return answers


@pytest.mark.parametrize(
    "safety", [pytest.param(True, id="safety"), pytest.param(False, id="no_safety")]
)
@pytest.mark.parametrize(
    ("back_pain", "depression", "expected"),
    [
        pytest.param("back_pain", "yes", [(AD, COMORBID), (AB, COMORBID)], id="bp-md"),
        pytest.param("back_pain", "near", [(AD, RAISED)], id="bp-md_near"),
        pytest.param("back_pain", "no", [(AD, ROUTINE)], id="bp-no_md"),
        pytest.param("near", "yes", [(AB, RAISED)], id="bp_near-md"),
        pytest.param("near", "near", [], id="bp_near-md_near"),
        pytest.param("near", "no", [], id="bp_near-no_md"),
        pytest.param("no", "yes", [(AB, ROUTINE)], id="no_bp-md"),
        pytest.param("no", "near", [], id="no_bp-md_near"),
        pytest.param("no", "no", [], id="no_bp-no_md"),
    ],
)
def test_flags_follow_design_rules_when_findings_combine(
    back_pain: str, depression: str, safety: bool, expected: list[tuple[FlagKind, Priority]]
) -> None:
    flags = flagged(answers_for(back_pain, depression, safety))

    assert [(flag.kind, flag.priority) for flag in flags] == (
        [(SAFETY, URGENT)] if safety else []
    ) + expected


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({**DEPRESSION["yes"], "da_death_thoughts": True}, id="on-path-positive"),
        pytest.param({**A_ENTERED, "da_death_thoughts": True}, id="on-path-count-1"),
        pytest.param(
            {"da_sad_2wk": "no", "an_lost_interest_2wk": "no", "da_death_thoughts": True},
            id="no-path",
        ),
        pytest.param(
            {"backache_freq_30d": "almost_every_day", "an_death_thoughts": True}, id="back-pain"
        ),
    ],
)
def test_safety_flag_comes_first_and_urgent_when_death_thoughts_endorsed(
    answers: dict[str, object],
) -> None:
    flags = flagged(answers)

    assert flags[0] == FlagSpec(SAFETY, URGENT, SAFETY_REASON)
    assert [flag.kind for flag in flags].count(SAFETY) == 1


def test_no_flags_when_answers_are_empty() -> None:
    assert flagged({}) == ()


@pytest.mark.parametrize("answer", ["refused", None])
def test_back_pain_flag_is_not_raised_when_backache_is_refused_or_missing(
    answer: str | None,
) -> None:
    answers = {**DEPRESSION["yes"], "backache_freq_30d": answer}

    assert [(flag.kind, flag.priority) for flag in flagged(answers)] == [(AB, ROUTINE)]


# Reasons cite the finding and the study's figures


def test_depression_reason_reads_like_design_example_when_back_pain_almost_every_day() -> None:
    (flag,) = flagged({"backache_freq_30d": "almost_every_day"})

    assert flag.reason == (
        "back pain almost every day in the past 30 days; in a national study of US adults "
        "(MIDUS, Yang et al. 2023), adults with back pain more often had major depression, and "
        "were about 2 times as likely to have major depression nine years later (prevalence "
        "ratio 1.96, 95% CI 1.41\u20132.74); these are figures for the population studied, not "
        "this patient's own risk"
    )


def test_back_pain_reason_cites_figures_when_depression_met_on_anhedonia_path() -> None:
    answers = {
        "da_sad_2wk": "dont_know",
        "an_lost_interest_2wk": "yes",
        "an_duration": "most_of_the_day",
        "an_frequency": "almost_every_day",
        **dict.fromkeys(("an_tired", "an_concentration", "an_worthless", "an_appetite_lost"), True),
    }

    (flag,) = flagged(answers)

    assert flag.reason == (
        "major depression on the anhedonia path, 4 symptoms (cut-off 4); in a national study of "
        "US adults (MIDUS, Yang et al. 2023), adults with major depression more often had back "
        "pain, and were about 1.5 times as likely to have back pain nine years later (prevalence "
        "ratio 1.48, 95% CI 1.04\u20132.13); these are figures for the population studied, not "
        "this patient's own risk"
    )


@pytest.mark.parametrize(
    ("back_pain", "depression", "kind", "suffix"),
    [
        pytest.param(
            "back_pain",
            "near",
            AD,
            "; raised: depression screen 3 symptoms, one short of the cut-off of 4",
            id="depression-near",
        ),
        pytest.param(
            "back_pain",
            "yes",
            AD,
            "; comorbid: the major-depression criterion is also met",
            id="assess-depression-comorbid",
        ),
        pytest.param(
            "near",
            "yes",
            AB,
            "; raised: backaches once a week, one step short of the back-pain criterion",
            id="back-pain-near",
        ),
        pytest.param(
            "back_pain",
            "yes",
            AB,
            "; comorbid: the back-pain criterion is also met",
            id="assess-back-pain-comorbid",
        ),
    ],
)
def test_reason_says_why_priority_rose_when_raised_or_comorbid(
    back_pain: str, depression: str, kind: FlagKind, suffix: str
) -> None:
    flags = {flag.kind: flag for flag in flagged(answers_for(back_pain, depression, False))}

    finding, study = flags[kind].reason.split("; in a national study", 1)
    assert finding.endswith(suffix)
    assert "(MIDUS, Yang et al. 2023)" in study


def test_reasons_quote_only_verified_figures_as_population_figures_when_citing_the_study() -> None:
    flags = flagged(answers_for("back_pain", "yes", False))
    reasons = " ".join(flag.reason for flag in flags)

    for figure in FIGURES.values():
        if figure.unit == "PR":
            assert f"prevalence ratio {figure.value:.2f}" in reasons, figure.key
        else:
            assert figure.text() not in reasons, figure.key  # unverified: analytics only
    assert reasons.count("not this patient's own risk") == 2
    assert "unverified" not in reasons
    assert "depressed-affect path" in reasons


def test_findings_quote_figures_read_in_the_paper_when_worded_for_clinicians() -> None:
    for finding in (BACK_PAIN_FINDING, DEPRESSION_FINDING):
        assert FIGURES[finding.figure_key].verified
        assert POPULATION_NOTE in finding.text()


def test_safety_reason_asks_for_suicide_risk_assessment_when_raised() -> None:
    assert "thought a lot about death during the 2-week period" in SAFETY_REASON
    assert "suicide-risk assessment with a validated instrument" in SAFETY_REASON
    assert "988 (US)" in SAFETY_REASON


# Priorities


def test_priorities_order_urgent_first_when_sorted() -> None:
    assert sorted(Priority, reverse=True) == [URGENT, COMORBID, RAISED, ROUTINE]


@pytest.mark.parametrize(
    ("existing", "new", "merged"),
    [
        (ROUTINE, RAISED, RAISED),
        (RAISED, ROUTINE, RAISED),
        (COMORBID, RAISED, COMORBID),
        (RAISED, URGENT, URGENT),
        (URGENT, ROUTINE, URGENT),
        (ROUTINE, ROUTINE, ROUTINE),
    ],
)
def test_merged_priority_is_the_higher_when_a_later_visit_attaches(
    existing: Priority, new: Priority, merged: Priority
) -> None:
    assert merge_priority(existing, new) is merged


# The study table (CRITERIA.md section 6)


def test_study_table_holds_section_6_figures_when_read() -> None:
    assert FIGURES["sample_n"].text() == "n = 2358"
    assert FIGURES["pr_back_pain_to_depression"].text() == "PR 1.96 (95% CI 1.41\u20132.74)"
    assert FIGURES["pr_depression_to_back_pain"].text() == "PR 1.48 (95% CI 1.04\u20132.13)"
    assert [FIGURES[key].value for key in FIGURES if FIGURES[key].unit == "%"] == [
        17.4,
        10.5,
        37.4,
        22.5,
    ]
    assert "doi:10.3390/ijerph20054217" in CITATION
    assert "20(5):4217" in CITATION


def test_figures_are_marked_unverified_when_from_the_lay_summary() -> None:
    unverified = {key for key, figure in FIGURES.items() if not figure.verified}

    assert unverified == {key for key, figure in FIGURES.items() if figure.unit == "%"}
    assert all(figure.source for figure in FIGURES.values())


def test_figure_text_omits_interval_when_none_is_known() -> None:
    figure = Figure("x", "x", 1.5, None, None, "PR", "test", False)

    assert figure.text() == "PR 1.50"
