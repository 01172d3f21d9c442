"""What clinicians read (issue 15, point 4): the finding and the study in words, a clear screen
result for each condition, and no sources, caveats, file names or MIDUS codes, which belong to
the analytics page and docs."""

import datetime as dt
import html
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.services import Actor
from screening.models import Visit
from screening.services.visits import record_visit
from tests.factories import ANSWERS, PatientFactory

pytestmark = pytest.mark.django_db

# What a clinician page must never show: a source's caveat, a file name, a MIDUS variable name.
FORBIDDEN = re.compile(r"unverified|lay summary|\w\.md\b|B1S|B1P|MIDUS item|MIDUS code", re.I)
CLINICIAN_TEMPLATES = (
    "screening/visit_detail.html",
    "screening/visit_form.html",
    "screening/_open_flags.html",
    "screening/_screen_result.html",
    "patients/detail.html",
    "review/case.html",
    "review/_case_visit.html",
)


def visible(page: str) -> str:
    """The page's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def record(patient: Any, user: Any, answers: str, days_ago: int = 0) -> Visit:
    return record_visit(
        patient=patient,
        answers=ANSWERS[answers],
        covariates={},
        visit_at=timezone.now() - dt.timedelta(days=days_ago),
        submission_id=uuid.uuid4(),
        actor=Actor(user=user),
    ).visit


def text_of(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return visible(response.content.decode())


@pytest.fixture
def patient(clinician):
    return PatientFactory(created_by=clinician)


@pytest.fixture
def visits(patient, clinician):
    """One visit of each finding, so every reason and explanation shows somewhere."""
    return {
        name: record(patient, clinician, name, days_ago)
        for days_ago, name in enumerate(("comorbid", "safety", "back_pain", "anhedonia"))
    }


def clinician_pages(visits: dict[str, Visit], patient: Any) -> dict[str, str]:
    """Every clinician page showing these visits: results, the patient, the cases, the forms."""
    pages = {f"result {name}": visit.get_absolute_url() for name, visit in visits.items()}
    pages["patient"] = patient.get_absolute_url()
    pages["new visit form"] = reverse("screening:visit_new", args=[patient.pk])
    pages["amend form"] = reverse("screening:visit_amend", args=[visits["comorbid"].pk])
    for visit in visits.values():
        for flag in visit.flags.all():
            pages[f"case {flag.kind}"] = reverse("review:flag", args=[flag.pk])
    return pages


def test_no_clinician_page_shows_sources_caveats_file_names_or_midus_codes_when_opened(
    client, reviewer, patient, visits
):
    pages = clinician_pages(visits, patient)
    assert {"case safety", "case assess_depression", "case assess_back_pain"} <= pages.keys()

    for name, url in pages.items():
        text = text_of(client, reviewer, url)
        assert not FORBIDDEN.search(text), (name, FORBIDDEN.search(text))


def test_flag_reasons_give_the_finding_and_the_study_as_population_figures_when_raised(
    client, clinician, patient, visits
):
    text = text_of(client, clinician, visits["comorbid"].get_absolute_url())

    assert (
        "Why: back pain several times a week in the past 30 days; comorbid: the major-depression "
        "criterion is also met; in a national study of US adults (MIDUS, Yang et al. 2023), "
        "adults with back pain more often had major depression, and were about 2 times as likely "
        "to have major depression nine years later (prevalence ratio 1.96, 95% CI 1.41\u20132.74); "
        "these are figures for the population studied, not this patient's own risk."
    ) in text
    assert "adults with major depression more often had back pain" in text


def test_case_page_gives_the_reason_in_clinical_words_when_a_reviewer_opens_it(
    client, reviewer, patient, clinician
):
    flag = record(patient, clinician, "back_pain").flags.get()

    text = text_of(client, reviewer, reverse("review:flag", args=[flag.pk]))

    assert "Back pain almost every day in the past 30 days; in a national study" in text
    assert "not this patient's own risk" in text


@pytest.mark.parametrize(
    ("answers", "back_pain", "depression"),
    [
        pytest.param("comorbid", "positive", "positive", id="both"),
        pytest.param("back_pain", "positive", "negative", id="back-pain"),
        pytest.param("anhedonia", "negative", "positive", id="depression"),
        pytest.param("negative", "negative", "negative", id="neither"),
    ],
)
def test_each_result_says_screen_positive_or_negative_for_both_conditions_when_shown(
    client, reviewer, patient, clinician, answers, back_pain, depression
):
    visit = record(patient, clinician, answers)

    result = text_of(client, reviewer, visit.get_absolute_url())
    row = text_of(client, reviewer, patient.get_absolute_url())

    assert f"Back pain: Screen {back_pain}" in result
    assert f"Major depression: Screen {depression}" in result
    depression_path = visit.get_path_display()
    assert (
        f"Visit {visit.pk} {timezone.localtime(visit.visit_at):%-d %b %Y %H:%M %Z}"
        f" {visit.get_backache_freq_30d_display()} Screen {back_pain} {depression_path}"
        f" {visit.symptom_count} Screen {depression}"
    ) in row
    for flag in visit.flags.all():
        case = text_of(client, reviewer, reverse("review:flag", args=[flag.pk]))
        assert f"Back pain Screen {back_pain}" in case
        assert f"Major depression Screen {depression}" in case


def test_no_clinician_template_writes_a_cut_off_by_hand_when_read():
    """The cut-off comes from criteria.SYMPTOM_CUTOFF; a number typed in a template goes stale."""
    folder = Path(settings.BASE_DIR) / "templates"

    for name in CLINICIAN_TEMPLATES:
        source = (folder / name).read_text(encoding="utf-8")
        assert not re.search(r"cut-?off (of )?\d", source, re.I), name
        assert not FORBIDDEN.search(source), name
