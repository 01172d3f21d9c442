"""The study's headline figures (CRITERIA.md section 6): the one table flags and analytics cite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CITATION = (
    "Yang H, Hurwitz EL, Li J, et al. Bidirectional Comorbid Associations between Back Pain and "
    "Major Depression in US Adults. Int J Environ Res Public Health. 2023;20(5):4217. "
    "doi:10.3390/ijerph20054217"
)
SHORT_CITATION = "MIDUS, Yang et al. 2023"
DOI_URL = "https://doi.org/10.3390/ijerph20054217"

# The four percentages cannot come from one 2x2 table: the first three imply
# P(back pain | no depression) of about 25.0%, not 22.5%. Check them against the paper's
# Tables 1-2 before showing them side by side (CRITERIA.md section 6).
PERCENTAGES_CAUTION = (
    "The four conditional percentages come from a lay summary and are mutually inconsistent; "
    "they await checking against the paper's Tables 1-2."
)


@dataclass(frozen=True)
class Figure:
    """One published figure, with its confidence interval and where it comes from (section 6)."""

    key: str
    label: str
    value: float
    ci_low: float | None
    ci_high: float | None
    unit: Literal["%", "PR", "n"]
    source: str
    verified: bool  # True only when read in a named source, not in a lay summary

    def text(self) -> str:
        """The figure as a reader expects it: '17.4%', 'PR 1.96 (95% CI 1.41-2.74)', 'n = 2358'."""
        if self.unit == "n":
            return f"n = {self.value:.0f}"
        if self.unit == "%":
            return f"{self.value:.1f}%"
        if self.ci_low is None or self.ci_high is None:
            return f"PR {self.value:.2f}"
        return f"PR {self.value:.2f} (95% CI {self.ci_low:.2f}\u2013{self.ci_high:.2f})"


_ABSTRACT = "Yang et al. 2023, abstract"
_LAY = "lay summary of Yang et al. 2023 (unverified)"

FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            "sample_n",
            "Adults followed from MIDUS II (2004-06) to MIDUS 3 (2013-14)",
            2358,
            None,
            None,
            "n",
            _ABSTRACT,
            True,
        ),
        Figure(
            "pr_back_pain_to_depression",
            "Back pain at baseline predicting major depression at follow-up (adjusted)",
            1.96,
            1.41,
            2.74,
            "PR",
            f"{_ABSTRACT}; section 3.3",
            True,
        ),
        Figure(
            "pr_depression_to_back_pain",
            "Major depression at baseline predicting back pain at follow-up (adjusted)",
            1.48,
            1.04,
            2.13,
            "PR",
            f"{_ABSTRACT}; section 3.3",
            True,
        ),
        Figure(
            "depression_given_back_pain",
            "Major depression among adults with back pain",
            17.4,
            None,
            None,
            "%",
            f"{_LAY}; probably section 3.1 / Table 1",
            False,
        ),
        Figure(
            "depression_given_no_back_pain",
            "Major depression among adults without back pain",
            10.5,
            None,
            None,
            "%",
            f"{_LAY}; probably section 3.1 / Table 1",
            False,
        ),
        Figure(
            "back_pain_given_depression",
            "Back pain among adults with major depression",
            37.4,
            None,
            None,
            "%",
            _LAY,
            False,
        ),
        Figure(
            "back_pain_given_no_depression",
            "Back pain among adults without major depression",
            22.5,
            None,
            None,
            "%",
            _LAY,
            False,
        ),
    )
}


# What clinicians read: the finding and the study, in words. The sources, the lay-summary
# percentages and their caveats stay with FIGURES, for the analytics page and docs.
STUDY_FOR_CLINICIANS = f"a national study of US adults ({SHORT_CITATION})"
POPULATION_NOTE = "these are figures for the population studied, not this patient's own risk"


@dataclass(frozen=True)
class Finding:
    """What the study found about one condition and the other, worded for a clinician; the
    figure quoted is one read in the paper itself (verified)."""

    condition: str
    other: str
    figure_key: str

    def text(self) -> str:
        """'in a national study ..., adults with back pain more often had major depression, ...'."""
        figure = FIGURES[self.figure_key]
        times = f"{round(figure.value * 2) / 2:g}"  # to the nearest half: "2", "1.5"
        interval = ""
        if figure.ci_low is not None and figure.ci_high is not None:
            interval = f", 95% CI {figure.ci_low:.2f}\u2013{figure.ci_high:.2f}"
        return (
            f"in {STUDY_FOR_CLINICIANS}, adults with {self.condition} more often had "
            f"{self.other}, and were about {times} times as likely to have {self.other} nine "
            f"years later (prevalence ratio {figure.value:.2f}{interval}); "
            f"{POPULATION_NOTE}"
        )


BACK_PAIN_FINDING = Finding("back pain", "major depression", "pr_back_pain_to_depression")
DEPRESSION_FINDING = Finding("major depression", "back pain", "pr_depression_to_back_pain")
