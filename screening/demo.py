"""Demo patients and visits for `make run`, recorded through the real services (development only).

Each outcome the app knows shows up at least once: a positive depressed-affect path, a positive
anhedonia path, back pain only, comorbid, a near-threshold case, a safety answer, a screen-out and
an amended visit. Fixed MRNs and submission ids make a second run add nothing.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from audit.services import Actor
from patients.models import Patient
from patients.services import register_patient
from screening.models import Visit
from screening.services.visits import amend_visit, record_visit

_NAMESPACE = uuid.UUID("6f1e4c1a-2b7d-4e0f-9a51-3c8d2e7b9f40")

_NEGATIVE: dict[str, Any] = {
    "backache_freq_30d": "not_at_all",
    "da_sad_2wk": "no",
    "an_lost_interest_2wk": "no",
}
_A_ENTERED = {"da_sad_2wk": "yes", "da_duration": "all_day_long", "da_frequency": "every_day"}
_A_NO_SYMPTOMS = {
    f"da_{name}": False
    for name in (
        "lost_interest",
        "tired",
        "appetite_lost",
        "appetite_increased",
        "sleep_trouble",
        "concentration",
        "worthless",
        "death_thoughts",
    )
}
ANSWER_SETS: dict[str, dict[str, Any]] = {
    "negative": _NEGATIVE,
    "back_pain_weekly": {**_NEGATIVE, "backache_freq_30d": "once_a_week"},
    "back_pain_daily": {**_NEGATIVE, "backache_freq_30d": "almost_every_day"},
    "depressed_affect": {
        **_A_NO_SYMPTOMS,
        **_A_ENTERED,
        "backache_freq_30d": "once_a_month",
        "da_lost_interest": True,
        "da_tired": True,
        "da_sleep_trouble": True,
        "da_sleep_frequency": "nearly_every_night",
        "da_worthless": True,
        "da_appetite_increased": None,
        "da_appetite_lost": True,
    },
    "anhedonia": {
        "backache_freq_30d": "several_times_a_month",
        "da_sad_2wk": "no",
        "an_lost_interest_2wk": "yes",
        "an_duration": "most_of_the_day",
        "an_frequency": "almost_every_day",
        "an_tired": True,
        "an_appetite_lost": False,
        "an_appetite_increased": True,
        "an_sleep_trouble": False,
        "an_concentration": True,
        "an_worthless": True,
        "an_death_thoughts": False,
    },
    "near_threshold": {
        **_A_NO_SYMPTOMS,
        **_A_ENTERED,
        "backache_freq_30d": "several_times_a_week",
        "da_tired": True,
        "da_concentration": True,
        "da_worthless": True,
    },
    "comorbid": {
        **_A_NO_SYMPTOMS,
        **_A_ENTERED,
        "backache_freq_30d": "almost_every_day",
        "da_lost_interest": True,
        "da_tired": True,
        "da_concentration": True,
        "da_worthless": True,
        "da_appetite_lost": True,
        "da_appetite_increased": None,
    },
    "safety": {
        **_A_NO_SYMPTOMS,
        **_A_ENTERED,
        "backache_freq_30d": "several_times_a_month",
        "da_tired": True,
        "da_death_thoughts": True,
    },
}
_COVARIATES: dict[str, Any] = {
    "presenting_concern": "back_pain",
    "regular_exercise": False,
    "smoking": "never",
    "alcohol": "lt_1_day_wk",
    "height_cm": Decimal("170.0"),
    "weight_kg": Decimal("78.5"),
}

# (MRN, given, family, born, sex, education, earnings, [(days ago, answer set), ...])
_PATIENTS: list[tuple[str, str, str, dt.date, str, str, str, list[tuple[int, str]]]] = [
    ("DEMO-0001", "Ana", "López", dt.date(1979, 2, 14), "female", "some_college", "25k_50k",
     [(150, "negative"), (60, "depressed_affect")]),
    ("DEMO-0002", "Marcus", "Webb", dt.date(1968, 9, 3), "male", "hs_or_less", "lt_25k",
     [(45, "anhedonia")]),
    ("DEMO-0003", "Priya", "Natarajan", dt.date(1985, 6, 21), "female", "bachelors_plus",
     "ge_75k", [(120, "back_pain_weekly"), (30, "back_pain_daily")]),
    ("DEMO-0004", "Tomás", "Herrera", dt.date(1959, 11, 30), "male", "some_college", "50k_75k",
     [(200, "back_pain_daily"), (100, "near_threshold"), (10, "comorbid")]),
    ("DEMO-0005", "Grace", "Okafor", dt.date(1991, 4, 8), "female", "bachelors_plus", "25k_50k",
     [(2, "safety")]),
    ("DEMO-0006", "Dmitri", "Ivanov", dt.date(1974, 1, 19), "male", "bachelors_plus", "refused",
     [(90, "negative"), (20, "negative")]),
    ("DEMO-0007", "Hannah", "Schmidt", dt.date(1963, 7, 27), "female", "hs_or_less", "lt_25k",
     [(40, "near_threshold")]),
    ("DEMO-0008", "Samuel", "Taylor", dt.date(1988, 12, 2), "male", "some_college", "25k_50k",
     [(15, "back_pain_daily")]),
]  # fmt: skip
# The last demo patient's visit was recorded with the wrong backache answer and then amended.
_AMENDED_MRN = "DEMO-0008"


def _submission(mrn: str, index: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{mrn}/{index}")


def load_demo_patients(clinician: Any) -> int:
    """Create the demo patients and their visits once; return how many patients were added."""
    actor = Actor(user=clinician)
    now = timezone.now()
    added = 0
    for mrn, given, family, born, sex, education, earnings, visits in _PATIENTS:
        patient = Patient.objects.filter(mrn=mrn).first()
        if patient is None:
            patient = register_patient(
                mrn=mrn,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex=sex,
                education=education,
                earnings=earnings,
                actor=actor,
            )
            added += 1
        last: Visit | None = None
        for index, (days_ago, answers) in enumerate(visits):
            last = record_visit(
                patient=patient,
                answers=ANSWER_SETS[answers],
                covariates=_COVARIATES,
                visit_at=now - dt.timedelta(days=days_ago, hours=index),
                submission_id=_submission(mrn, index),
                actor=actor,
            ).visit
        if mrn == _AMENDED_MRN and last is not None:
            amend_visit(
                original=last,
                answers=ANSWER_SETS["back_pain_weekly"],
                covariates=_COVARIATES,
                visit_at=last.visit_at,
                submission_id=_submission(mrn, len(visits)),
                reason="Backache frequency misheard at the visit; corrected with the patient.",
                actor=actor,
            )
    return added
