"""The review queue's patient search (issue 15, point 7): POSTed, kept in the session, matched as
patient search matches, combined with the filters, audited without the text."""

import re

import pytest
from django.urls import reverse

from audit.models import Audit, AuditAction
from screening.models import FlagKind, FlagPriority
from tests.factories import FlagFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")
SEARCH = reverse("review:queue_search")


def rows(response) -> list[int]:
    """The flag ids in table order, as the page lists them."""
    return sorted(int(pk) for pk in re.findall(r'data-flag-id="(\d+)"', response.content.decode()))


def flag_of(patient, **kwargs):
    return FlagFactory(visit=VisitFactory(patient=patient), **kwargs)


@pytest.fixture
def world(client, reviewer):
    client.force_login(reviewer)
    ana = PatientFactory(mrn="MRN-4411", given_name="Ana", family_name="López")
    bruno = PatientFactory(mrn="MRN-7730", given_name="Bruno", family_name="Keller")
    return {
        "ana": ana,
        "bruno": bruno,
        "ana_depression": flag_of(ana),
        "ana_back": flag_of(ana, kind=FlagKind.ASSESS_BACK_PAIN),
        "bruno_depression": flag_of(bruno),
    }


def test_reviewer_finds_a_patients_cases_by_part_of_the_mrn(client, world):
    response = client.post(SEARCH, {"q": "4411"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"{QUEUE}?search=1", 302)]
    assert rows(response) == sorted([world["ana_depression"].pk, world["ana_back"].pk])
    page = response.content.decode()
    assert "Find a patient&#x27;s cases" in page or "Find a patient's cases" in page
    assert "Clear search" in page
    assert 'value="4411"' in page  # the box keeps what was typed


def test_reviewer_finds_a_patients_cases_by_name_words_ignoring_accents(client, world):
    response = client.post(SEARCH, {"q": "ana lop"}, follow=True)

    assert rows(response) == sorted([world["ana_depression"].pk, world["ana_back"].pk])
    assert response.redirect_chain == [(f"{QUEUE}?search=1", 302)]  # no search text


def test_search_is_audited_with_counts_only_never_the_text(client, world):
    client.post(SEARCH, {"q": "Keller"}, follow=True)

    search = Audit.objects.get(action=AuditAction.PATIENT_SEARCH)
    assert search.detail == {
        "from": "review_queue",
        "by": "mrn_or_name",
        "results": 1,
        "results_capped": False,
        "page": 1,
    }
    shown = Audit.objects.filter(action=AuditAction.QUEUE_VIEW).latest("id")
    assert shown.detail["patients"] == [world["bruno"].pk]
    assert shown.detail["filters"]["patient_search"] is True
    for row in Audit.objects.all():
        assert "Keller" not in str(row.detail)


def test_search_combines_with_the_filters_both_ways(client, world):
    # a search sent while a filter is applied keeps the filter
    response = client.post(f"{SEARCH}?kind={FlagKind.ASSESS_BACK_PAIN}", {"q": "MRN-44"})
    assert response.status_code == 302
    assert response.url == f"{QUEUE}?kind={FlagKind.ASSESS_BACK_PAIN}&search=1"
    assert rows(client.get(response.url)) == [world["ana_back"].pk]

    # applying the filters afterwards keeps the search (the form carries search=1, not the text)
    page = client.get(QUEUE, {"kind": FlagKind.ASSESS_DEPRESSION, "search": "1"})
    assert rows(page) == [world["ana_depression"].pk]
    assert 'name="search" value="1"' in page.content.decode()


def test_no_match_shows_an_empty_state_with_clear_search(client, world):
    response = client.post(SEARCH, {"q": "Zebedee"}, follow=True)

    page = response.content.decode()
    assert rows(response) == []
    assert 'data-testid="empty-state"' in page
    assert "No case in the queue belongs to a patient matching your search" in page
    assert Audit.objects.get(action=AuditAction.PATIENT_SEARCH).detail["results"] == 0


def test_clear_search_restores_the_full_queue(client, world):
    client.post(SEARCH, {"q": "4411"})

    response = client.post(SEARCH, {"clear": "1"}, follow=True)

    assert response.redirect_chain == [(QUEUE, 302)]
    every = sorted(flag.pk for key, flag in world.items() if "_" in key)
    assert rows(response) == every
    # the search is gone from the session: a ?search=1 link no longer narrows the queue
    assert rows(client.get(QUEUE, {"search": "1"})) == every
    assert "Clear search" not in response.content.decode()


def test_the_queue_is_not_narrowed_without_search_in_the_url(client, world):
    client.post(SEARCH, {"q": "4411"})

    every = sorted(flag.pk for key, flag in world.items() if "_" in key)
    assert rows(client.get(QUEUE)) == every  # the plain queue link shows every case


def test_an_empty_search_is_refused_and_the_queue_is_not_narrowed(client, world):
    response = client.post(SEARCH, {"q": "   "}, follow=True)

    assert "Enter an MRN or a name to search the queue." in response.content.decode()
    assert len(rows(response)) == 3
    assert not Audit.objects.filter(action=AuditAction.PATIENT_SEARCH).exists()


def test_a_query_string_search_text_is_ignored(client, world):
    response = client.get(QUEUE, {"q": "4411", "search": "1"})

    assert len(rows(response)) == 3
    assert not Audit.objects.filter(action=AuditAction.PATIENT_SEARCH).exists()


def test_clinician_cannot_search_the_queue(client, clinician):
    client.force_login(clinician)

    assert client.post(SEARCH, {"q": "4411"}).status_code == 403


def test_needs_action_now_still_lists_every_unclaimed_safety_flag(client, world):
    safety = flag_of(world["bruno"], kind=FlagKind.SAFETY, priority=FlagPriority.URGENT)

    response = client.post(SEARCH, {"q": "4411"}, follow=True)

    page = response.content.decode()
    needs_action = page.split('data-testid="needs-action-now"')[1].split("</section>")[0]
    assert reverse("review:flag", args=[safety.pk]) in needs_action
    assert safety.pk not in rows(response)
    assert rows(response) == sorted([world["ana_depression"].pk, world["ana_back"].pk])
