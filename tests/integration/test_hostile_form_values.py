"""Every form, fed hostile and random values: a clear 4xx or the form again with its errors, never
a 500, and no row written (only the audit of a refused sign-in or of a page viewed).

Three kinds of input per form: a fixed corpus of hostile values in every field at once; one
field at a time made hostile (NUL byte, overlong, wrong type) beside otherwise valid answers;
and hypothesis-generated mixes. A note keeps markup and SQL as typed and shows them escaped.
Then the cases an outside probe found: a day outside the range of dates in the audit filter, a saved
audit filter that no longer reads back, and a submission id of another patient's visit.
The CSRF check and the query-string forms are in test_hostile_csrf_and_query_strings.
"""

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from screening.models import Flag, FlagEvent
from tests.factories import FlagFactory, VisitFactory
from tests.integration import hostile_cases
from tests.integration.hostile_cases import (
    BY_NAME,
    ERROR_MARKERS,
    FORMS,
    OUT_OF_RANGE_DAYS,
    OVERLONG,
    FormCase,
    World,
    _signed_in,
    error_by_field,
    row_counts,
)

pytestmark = pytest.mark.django_db

# The shared fixture, bound here for pytest to find (ruff reads a bare import as unused).
world = hostile_cases.world

CORPUS = [
    "",
    " ",
    OVERLONG,
    "x" * 300,
    "\x00",
    "abc\x00def",
    "'; DROP TABLE patients_patient; --",
    '" OR 1=1 --',
    "1' OR '1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "\u202e\ufeff\u200b",
    "😀" * 40,
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "[]",
    "{}",
    "2026-02-30",
    "0000-00-00",
    "9999-99-99T99:99",
    "=cmd|' /C calc'!A0",
]
# Refused by every field, free text included: empty, blank, NUL bytes, longer than any limit.
MUST_REFUSE = {"", " ", OVERLONG, "\x00", "abc\x00def"}


def assert_refused(
    case: FormCase, response: Any, before: dict[str, int], *, may_accept: bool = False
) -> None:
    status = response.status_code
    assert status != 500, f"{case.name}: server error"
    if may_accept and status == 302:
        return
    assert row_counts() == before, f"{case.name}: a row was written (status {status})"
    if case.writes:
        assert status == 200 or 400 <= status < 500, f"{case.name}: status {status}"
        if status == 200:
            body = response.content.decode()
            assert any(marker in body for marker in ERROR_MARKERS), f"{case.name}: no error shown"
    else:
        assert status in {200, 302} or 400 <= status < 500, f"{case.name}: status {status}"


def attempt(
    client: Client, case: FormCase, world: World, data: dict[str, Any], *, may_accept: bool = False
) -> None:
    """Post `data` to the form (after its preparation) and check it was refused cleanly."""
    if case.prepare is not None:
        case.prepare(client, world)
    before = row_counts()
    response = client.post(case.url(world), data)
    assert_refused(case, response, before, may_accept=may_accept)


@pytest.mark.parametrize("case", FORMS, ids=lambda case: case.name)
def test_corpus_values_in_every_field_are_refused_without_a_500(client, world, case):
    _signed_in(client, case.role)
    for value in CORPUS:
        may_accept = case.free_text and value not in MUST_REFUSE
        attempt(client, case, world, dict.fromkeys(case.fields, value), may_accept=may_accept)


@pytest.mark.parametrize("case", [c for c in FORMS if c.writes], ids=lambda case: case.name)
def test_one_hostile_field_beside_valid_answers_is_refused(client, world, case):
    _signed_in(client, case.role)
    valid = case.valid(world)
    for name in case.fields:
        if name in {"confirm", "another_encounter", "next"}:
            continue  # a checkbox is "on" for any value; "next" is only a redirect hint
        for value in ("abc\x00def", OVERLONG, ["1", "2", "\x00"]):
            data = valid | {name: value}
            if "submission_id" in data and name != "submission_id":
                data["submission_id"] = str(uuid.uuid4())
            attempt(client, case, world, data)


def test_valid_submissions_are_accepted_so_the_refusals_above_mean_something(client, world):
    """The valid base of each writing form really writes: a refusal is due to the hostile value."""
    for case in FORMS:
        if not case.writes or case.name in {"sign_in", "sign_in_code", "two_factor_enrolment"}:
            continue
        _signed_in(client, case.role)
        if case.name.startswith("review_"):
            world.flag = FlagFactory()  # each action on an open case of its own
        before = row_counts()
        response = client.post(case.url(world), case.valid(world))
        assert response.status_code == 302, case.name
        assert row_counts() != before, case.name


def test_a_json_body_writes_nothing_and_is_not_a_server_error(client, world):
    """A JSON body leaves request.POST empty: the form is shown again (unbound) or refused."""
    for case in FORMS:
        _signed_in(client, case.role)
        if case.prepare is not None:
            case.prepare(client, world)
        before = row_counts()
        response = client.post(
            case.url(world), data=case.valid(world), content_type="application/json"
        )
        assert response.status_code != 500, case.name
        assert row_counts() == before, case.name


VALUES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(CORPUS),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.lists(st.text(max_size=20), min_size=2, max_size=3),
)


@pytest.mark.parametrize("name", [c.name for c in FORMS])
def test_random_values_never_cause_a_500_or_a_row(client, world, name):
    case = BY_NAME[name]
    _signed_in(client, case.role)

    @hypothesis_settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(data=st.dictionaries(st.sampled_from(case.fields), VALUES, min_size=1))
    def run(data: dict[str, Any]) -> None:
        if case.name == "user_create":
            data.pop("role", None)  # without a role the form cannot be valid by chance
        attempt(client, case, world, data, may_accept=case.free_text)

    run()


def test_markup_and_sql_in_a_note_are_kept_as_typed_and_shown_escaped(client, world):
    _signed_in(client, "reviewer")
    typed = "<script>alert(1)</script> '; DROP TABLE screening_flag; --"
    client.post(reverse("review:flag_note", args=[world.flag.pk]), {"note-note": typed})
    assert FlagEvent.objects.get(flag=world.flag).note == typed
    page = client.get(reverse("review:flag", args=[world.flag.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Flag.objects.filter(pk=world.flag.pk).exists()


def test_a_day_outside_the_range_in_the_audit_filter_is_refused_by_its_field(client, world):
    from audit.views import FILTER_KEY
    from lib.dates import OUT_OF_RANGE

    _signed_in(client, "admin")
    for field in ("date_from", "date_to"):
        for day in OUT_OF_RANGE_DAYS:
            before = row_counts()
            response = client.post(reverse("audit:log"), {field: day})
            assert response.status_code == 200, (field, day)
            assert error_by_field(response.content.decode(), field, OUT_OF_RANGE), (field, day)
            assert FILTER_KEY not in client.session
            assert row_counts() == before, (field, day)


@pytest.mark.parametrize(
    "stored",
    [
        {"date_to": "9999-12-31"},
        {"username": "dr_clinician", "date_from": "0001-01-01"},
        {"patient_id": "not a number"},
        {"action": "no_such_action"},
        "not a filter",
    ],
    ids=["far_date", "ancient_date_beside_a_user", "patient_id", "action", "not_a_dict"],
)
def test_a_saved_audit_filter_that_does_not_read_back_is_dropped_with_a_message(
    client, world, stored
):
    """A filter kept in the session from before a rule changed, or altered, is dropped: the log
    shows unfiltered with a message, and a download shows the log instead of every row."""
    from audit.views import FILTER_DROPPED, FILTER_KEY

    _signed_in(client, "admin")
    for url in (reverse("audit:log"), reverse("audit:export")):
        session = client.session
        session[FILTER_KEY] = stored
        session.save()
        before = row_counts()

        response = client.post(url) if url.endswith("export/") else client.get(url)

        if url.endswith("export/"):
            assert response.status_code == 302
            assert response["Location"] == reverse("audit:log")
            response = client.get(response["Location"])
        assert response.status_code == 200
        body = response.content.decode()
        assert (
            f'<div class="alert alert-warning" role="status">{escape(FILTER_DROPPED)}</div>' in body
        )
        assert FILTER_KEY not in client.session
        assert row_counts() == before  # no audit_export row: nothing was downloaded
        assert escape(FILTER_DROPPED) not in client.get(reverse("audit:log")).content.decode()


@pytest.mark.parametrize("name", ["screening_form", "screening_amendment"])
def test_a_submission_id_of_another_patients_visit_is_refused_with_400(client, world, name):
    """The form's hidden id already recorded a visit of another patient: a 400 that says so,
    nothing written, the answers kept under a new id that a deliberate submit records with."""
    from screening.views import OTHER_PATIENTS_FORM

    case = BY_NAME[name]
    _signed_in(client, case.role)
    # the new-visit form is world.patient's, whose visit this is not; the amended visit is the
    # flag's patient's, so the other patient's visit is one of world.patient's
    other = world.visit if name == "screening_form" else VisitFactory(patient=world.patient)
    data = case.valid(world) | {"submission_id": str(other.submission_id)}
    before = row_counts()

    response = client.post(case.url(world), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert escape(OTHER_PATIENTS_FORM) in body
    assert "alert-danger" in body
    assert row_counts() == before
    assert str(other.submission_id) not in body
    fresh = re.search(r'name="submission_id" value="([0-9a-f-]{36})"', body).group(1)
    again = client.post(case.url(world), data | {"submission_id": fresh})
    assert again.status_code == 302
    assert row_counts()["visit"] == before["visit"] + 1
