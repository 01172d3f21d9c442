"""INSTRUMENTS.md transcribed for the instrument tests: every row of its tables, its PHQ-9 items
and LOINC codes, its bands, and hand-worked answer sets with the results section 5 prints."""

# Section 1, the ASQ table: key, wording, values.
ASQ_VALUES = ("yes", "no", "refused")
ASQ_TABLE = [
    ("asq_1", "In the past few weeks, have you wished you were dead?", ASQ_VALUES),
    (
        "asq_2",
        "In the past few weeks, have you felt that you or your family would be better off if you "
        "were dead?",
        ASQ_VALUES,
    ),
    (
        "asq_3",
        "In the past week, have you been having thoughts about killing yourself?",
        ASQ_VALUES,
    ),
    ("asq_4", "Have you ever tried to kill yourself?", ASQ_VALUES),
    ("asq_5", "Are you having thoughts of killing yourself right now?", ASQ_VALUES),
]

# Section 2: the nine items as INSTRUMENTS.md words them, with the LOINC codes it lists in order.
PHQ9_ITEMS = [
    ("phq9_1", "44250-9", "little interest or pleasure in doing things"),
    ("phq9_2", "44255-8", "feeling down, depressed, or hopeless"),
    ("phq9_3", "44259-0", "trouble falling or staying asleep, or sleeping too much"),
    ("phq9_4", "44254-1", "feeling tired or having little energy"),
    ("phq9_5", "44251-7", "poor appetite or overeating"),
    (
        "phq9_6",
        "44258-2",
        "feeling bad about yourself, or that you are a failure or have let yourself or your "
        "family down",
    ),
    (
        "phq9_7",
        "44252-5",
        "trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "phq9_8",
        "44253-3",
        "moving or speaking so slowly that other people could have noticed, or the opposite, "
        "being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    (
        "phq9_9",
        "44260-8",
        "thoughts that you would be better off dead, or of hurting yourself in some way",
    ),
]
PHQ9_LEVELS = [
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
]
PHQ9_DIFFICULTY = ("not_difficult", "somewhat_difficult", "very_difficult", "extremely_difficult")
PHQ9_PANEL, PHQ9_TOTAL, PHQ9_DIFFICULTY_LOINC = "44249-1", "44261-6", "69722-7"
# lowest score, highest score, band
PHQ9_BANDS = [
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately_severe"),
    (20, 27, "severe"),
]

# Section 3, the chronic low back pain and PEG table: key, wording, values.
LBP_DURATIONS = ("lt_1_month", "1_3_months", "3_6_months", "6_12_months", "1_5_years", "gt_5_years")
LBP_FREQUENCIES = ("every_day_or_nearly", "at_least_half_the_days", "less_than_half_the_days")
PEG_VALUES = tuple(range(11))
LBP_PEG_TABLE = [
    ("lbp_duration", "How long has low-back pain been an ongoing problem for you?", LBP_DURATIONS),
    (
        "lbp_frequency",
        "How often has low-back pain been an ongoing problem for you over the past 6 months?",
        LBP_FREQUENCIES,
    ),
    ("peg_pain", "What number best describes your pain on average in the past week?", PEG_VALUES),
    (
        "peg_enjoyment",
        "What number best describes how, during the past week, pain has interfered with your "
        "enjoyment of life?",
        PEG_VALUES,
    ),
    (
        "peg_activity",
        "What number best describes how, during the past week, pain has interfered with your "
        "general activity?",
        PEG_VALUES,
    ),
]
CHRONIC_DURATIONS = ("3_6_months", "6_12_months", "1_5_years", "gt_5_years")
CHRONIC_FREQUENCIES = ("every_day_or_nearly", "at_least_half_the_days")


def asq(*screen: str, asq_5: str | None = None) -> dict[str, object]:
    """ASQ answers: asq_1 to asq_4 in order, then asq_5 (None: left out)."""
    answers: dict[str, object] = {f"asq_{n}": value for n, value in enumerate(screen, start=1)}
    if asq_5 is not None:
        answers["asq_5"] = asq_5
    return answers


def phq9(*levels: int, difficulty: str | None = None) -> dict[str, object]:
    """PHQ-9 answers: the nine item scores in order, then phq9_difficulty (None: left out)."""
    answers: dict[str, object] = {f"phq9_{n}": level for n, level in enumerate(levels, start=1)}
    if difficulty is not None:
        answers["phq9_difficulty"] = difficulty
    return answers


def lbp_peg(
    duration: str, frequency: str, pain: int, enjoyment: int, activity: int
) -> dict[str, object]:
    """Chronic low back pain and PEG answers, in the table's order."""
    return {
        "lbp_duration": duration,
        "lbp_frequency": frequency,
        "peg_pain": pain,
        "peg_enjoyment": enjoyment,
        "peg_activity": activity,
    }


# Hand-worked cases: (id, instrument, answers, the result section 5 prints).
WORKED = [
    (
        "asq-all-no",
        "asq",
        asq("no", "no", "no", "no"),
        {"result": "negative", "positive": False, "acute": False},
    ),
    (
        "asq-wished-dead-not-now",
        "asq",
        asq("yes", "no", "no", "no", asq_5="no"),
        {"result": "non_acute_positive", "positive": True, "acute": False},
    ),
    (
        "asq-refused-3-not-now",
        "asq",
        asq("no", "no", "refused", "no", asq_5="no"),
        {"result": "non_acute_positive", "positive": True, "acute": False},
    ),
    (
        "asq-tried-thoughts-now",
        "asq",
        asq("no", "no", "no", "yes", asq_5="yes"),
        {"result": "acute_positive", "positive": True, "acute": True},
    ),
    (
        "asq-refused-now",
        "asq",
        asq("no", "refused", "no", "no", asq_5="refused"),
        {"result": "acute_positive", "positive": True, "acute": True},
    ),
    (
        "phq9-all-0",
        "phq9",
        phq9(0, 0, 0, 0, 0, 0, 0, 0, 0),
        {"score": 0, "band": "minimal", "positive": False, "mdd_algorithm": False, "safety": False},
    ),
    (
        "phq9-12-moderate-mdd",
        "phq9",
        phq9(2, 1, 2, 2, 2, 2, 1, 0, 0, difficulty="somewhat_difficult"),
        {"score": 12, "band": "moderate", "positive": True, "mdd_algorithm": True, "safety": False},
    ),
    (
        "phq9-9-mild-item9-counts",
        "phq9",
        phq9(2, 2, 2, 2, 0, 0, 0, 0, 1, difficulty="very_difficult"),
        {"score": 9, "band": "mild", "positive": False, "mdd_algorithm": True, "safety": True},
    ),
    (
        "phq9-10-no-item-1-or-2",
        "phq9",
        phq9(0, 0, 2, 2, 2, 2, 2, 0, 0),
        {
            "score": 10,
            "band": "moderate",
            "positive": True,
            "mdd_algorithm": False,
            "safety": False,
        },
    ),
    (
        "phq9-27-severe",
        "phq9",
        phq9(3, 3, 3, 3, 3, 3, 3, 3, 3, difficulty="extremely_difficult"),
        {"score": 27, "band": "severe", "positive": True, "mdd_algorithm": True, "safety": True},
    ),
    (
        "lbp-chronic-peg-6.7",
        "lbp_peg",
        lbp_peg("3_6_months", "at_least_half_the_days", 7, 6, 7),
        {"chronic": True, "peg_score": 6.7, "positive": True},
    ),
    (
        "lbp-too-recent",
        "lbp_peg",
        lbp_peg("1_3_months", "every_day_or_nearly", 8, 8, 8),
        {"chronic": False, "peg_score": 8.0, "positive": False},
    ),
    (
        "lbp-too-seldom-peg-0.3",
        "lbp_peg",
        lbp_peg("gt_5_years", "less_than_half_the_days", 1, 0, 0),
        {"chronic": False, "peg_score": 0.3, "positive": False},
    ),
]
