"""Hostile requests beyond the form values: each POST without a CSRF token (every form and every
action without fields) gets 403 and writes nothing, and the forms read from the query string (the
exports choices, the analytics filters, the review queue's) refuse hostile values and days outside
the range of dates without a 500, a file or a row.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from tests.integration import hostile_cases
from tests.integration.hostile_cases import (
    BY_NAME,
    ERROR_MARKERS,
    FORMS,
    OUT_OF_RANGE_DAYS,
    OVERLONG,
    _signed_in,
    error_by_field,
    row_counts,
)

pytestmark = pytest.mark.django_db

# The shared fixture, bound here for pytest to find (ruff reads a bare import as unused).
world = hostile_cases.world

# POST-only actions without fields: only the CSRF check applies to them.
ACTIONS = [
    ("logout", "clinician", lambda w: reverse("logout")),
    ("review_claim", "reviewer", lambda w: reverse("review:flag_claim", args=[w.flag.pk])),
    ("review_release", "reviewer", lambda w: reverse("review:flag_release", args=[w.flag.pk])),
    ("review_reopen", "reviewer", lambda w: reverse("review:flag_reopen", args=[w.flag.pk])),
    ("audit_export", "admin", lambda w: reverse("audit:export")),
    ("user_deactivate", "admin", lambda w: reverse("user_deactivate", args=[w.target.pk])),
    ("user_reactivate", "admin", lambda w: reverse("user_reactivate", args=[w.target.pk])),
    (
        "user_two_factor_remove",
        "admin",
        lambda w: reverse("user_two_factor_remove", args=[w.target.pk]),
    ),
    ("two_factor_remove", "reviewer", lambda w: reverse("two_factor_remove")),
]


@pytest.mark.parametrize(
    ("name", "role", "url"),
    [(c.name, c.role, c.url) for c in FORMS] + ACTIONS,
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_post_without_a_csrf_token_is_refused_with_403(world, name, role, url):
    client = Client(enforce_csrf_checks=True)
    if role is not None:
        _signed_in(client, role)
    data = BY_NAME[name].valid(world) if name in BY_NAME else {}
    before = row_counts()
    response = client.post(url(world), data)
    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()  # our page
    assert row_counts() == before
    assert Group.objects.count() == 3


def test_hostile_export_choices_are_refused_without_a_file_or_an_audit_row(client, world):
    """The exports form is read from the query string (GET), so it is fed there."""
    from django import forms

    from exports.forms import ExportForm

    client.force_login(User.objects.get(username="ad_admin"))
    choosable = [
        name
        for name, form_field in ExportForm.base_fields.items()
        if not isinstance(form_field, forms.BooleanField)  # any value ticks a checkbox
    ]
    for name in choosable:
        for value in ("abc\x00def", OVERLONG, "'; DROP TABLE screening_visit; --", "-1", "[]"):
            query = ExportForm.default_data() | {name: value}
            before = row_counts()
            download = client.get(reverse("exports:export_download"), query)
            count = client.get(reverse("exports:export_count"), query)
            assert (download.status_code, count.status_code) == (400, 400), (name, value)
            assert not download.has_header("Content-Disposition"), (name, value)
            assert row_counts() == before, (name, value)


def test_hostile_analytics_filters_are_shown_as_errors_without_a_500(client, world):
    """The analytics filters are read from the query string (GET): no rows, no 500."""
    client.force_login(User.objects.get(username="ad_admin"))
    for name in ("date_from", "date_to", "clinician"):
        for value in ("abc\x00def", OVERLONG, "'; DROP TABLE screening_visit; --", "-1", "[]"):
            before = row_counts()
            response = client.get(reverse("analytics:analytics"), {name: value})
            assert response.status_code in {200, 400}, (name, value)
            assert any(marker in response.content.decode() for marker in ERROR_MARKERS)
            assert row_counts() == before, (name, value)


# The date filters read from the query string: URL name, the date fields, the status of a refusal.
DATE_FILTERS = [
    ("exports:exports", ["date_from", "date_to"], 200),
    ("exports:export_count", ["date_from", "date_to"], 400),
    ("exports:export_download", ["date_from", "date_to"], 400),
    ("analytics:analytics", ["date_from", "date_to"], 200),
    ("review:queue", ["opened_from", "opened_to"], 200),
]


@pytest.mark.parametrize(
    ("name", "fields", "status"), DATE_FILTERS, ids=[f[0] for f in DATE_FILTERS]
)
def test_a_day_outside_the_range_is_refused_by_its_field_without_a_500(
    client, world, name, fields, status
):
    from exports.forms import ExportForm
    from lib.dates import OUT_OF_RANGE

    client.force_login(User.objects.get(username="ad_admin"))
    base = ExportForm.default_data() if name.startswith("exports:") else {}
    for field in fields:
        for day in OUT_OF_RANGE_DAYS:
            before = row_counts()
            response = client.get(reverse(name), base | {field: day})
            assert response.status_code == status, (field, day)
            if name == "exports:export_count":
                assert response.json()["errors"][field][0]["message"] == OUT_OF_RANGE
            else:
                assert error_by_field(response.content.decode(), field, OUT_OF_RANGE), (field, day)
            assert not response.has_header("Content-Disposition")
            assert row_counts() == before, (field, day)
