"""Every form, fed hostile and random values: a clear 4xx or the form again with its errors, never
a 500, and no row written (only the audit of a refused sign-in or of a page viewed).

Three kinds of input per form: a fixed corpus of hostile values in every field at once; one
field at a time made hostile (NUL byte, overlong, wrong type) beside otherwise valid answers;
and hypothesis-generated mixes. Separately, each POST without a CSRF token gets 403.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.models import Audit, AuditAction
from patients.models import Patient
from screening.models import Flag, FlagEvent, Visit
from tests.conftest import TEST_PASSWORD, make_user
from tests.factories import ANSWERS, FlagFactory, PatientFactory

pytestmark = pytest.mark.django_db

OVERLONG = "9" * 10_000
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
# What a refusal may still leave behind: the audit of looking, or of a failed sign-in.
ALLOWED_AUDIT = {
    AuditAction.SIGN_IN_FAILED,
    AuditAction.LOCKOUT,
    AuditAction.AUDIT_VIEW,
    AuditAction.PATIENT_SEARCH,
    AuditAction.PATIENT_VIEW,
    AuditAction.VISIT_VIEW,
    AuditAction.FLAG_VIEW,
}
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "alert-danger", "errorlist", "didn't match")


def row_counts() -> dict[str, int]:
    """Rows a form could write; the audit only for kinds a refusal must not leave."""
    return {
        "patient": Patient.objects.count(),
        "visit": Visit.objects.count(),
        "flag": Flag.objects.count(),
        "flag_event": FlagEvent.objects.count(),
        "user": User.objects.count(),
        "active_users": User.objects.filter(is_active=True).count(),
        "role_memberships": User.groups.through.objects.count(),
        "totp": TOTPDevice.objects.filter(confirmed=True).count(),
        "passwords": hash(tuple(User.objects.order_by("pk").values_list("password", flat=True))),
        "audit": Audit.objects.exclude(action__in=ALLOWED_AUDIT).count(),
    }


@dataclass
class FormCase:
    """One form: where it posts, who posts it, a valid submission and its field names."""

    name: str
    role: str | None
    url: Callable[["World"], str]
    valid: Callable[["World"], dict[str, Any]] = lambda world: {}
    fields: list[str] = field(default_factory=list)
    # forms whose acceptance writes nothing (search, filters) may answer 200/302 to anything
    writes: bool = True
    # forms of free text only (a note): markup or SQL in them is text to keep, not to refuse
    free_text: bool = False
    prepare: Callable[[Client, "World"], None] | None = None


@dataclass
class World:
    patient: Patient
    visit: Visit
    flag: Flag
    target: User


def _visit_form(answers: dict[str, Any]) -> dict[str, str]:
    data = {
        "submission_id": str(uuid.uuid4()),
        "visit_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    for key, value in answers.items():
        data[key] = ("yes" if value else "no") if isinstance(value, bool) else value
    return data


def _screening_fields() -> list[str]:
    from screening.forms import ScreeningForm

    return list(ScreeningForm(patient=Patient()).fields)


def _registration() -> dict[str, str]:
    return {
        "mrn": "MRN-HOSTILE-1",
        "given_name": "Ines",
        "family_name": "Okafor",
        "date_of_birth": "1979-04-02",
        "sex": "female",
        "education": "some_college",
        "earnings": "25k_50k",
    }


def _park_for_code(client: Client, world: World) -> None:
    """Sign in with the password as a user with a device, leaving the code step open."""
    user = make_user(f"otp_{uuid.uuid4().hex[:8]}", "admin")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.logout()
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})


def _fresh_case(client: Client, world: World) -> None:
    """An open case of its own, so an accepted note or dismissal cannot change the next try."""
    world.flag = FlagFactory()


NEW_PASSWORD = "violet-harbour-engine-77"
FORMS = [
    FormCase(
        "sign_in",
        None,
        lambda w: "/accounts/login/",
        lambda w: {"username": "ad_admin", "password": TEST_PASSWORD},
        ["username", "password", "next"],
    ),
    FormCase(
        "sign_in_code",
        None,
        lambda w: reverse("login_otp"),
        lambda w: {},
        ["code"],
        prepare=_park_for_code,
    ),
    FormCase(
        "patient_search",
        "clinician",
        lambda w: reverse("patients:search"),
        lambda w: {"q": "Okafor"},
        ["q"],
        writes=False,
    ),
    FormCase(
        "patient_registration",
        "clinician",
        lambda w: reverse("patients:new"),
        lambda w: _registration(),
        [*_registration(), "confirm"],
    ),
    FormCase(
        "screening_form",
        "clinician",
        lambda w: reverse("screening:visit_new", args=[w.patient.pk]),
        lambda w: _visit_form(ANSWERS["negative"]),
        _screening_fields(),
    ),
    FormCase(
        "screening_amendment",
        "clinician",
        lambda w: reverse("screening:visit_amend", args=[w.visit.pk]),
        lambda w: _visit_form(ANSWERS["negative"]),
        _screening_fields(),
    ),
    FormCase(
        "review_note",
        "reviewer",
        lambda w: reverse("review:flag_note", args=[w.flag.pk]),
        lambda w: {"note-note": "Called the patient."},
        ["note-note"],
        free_text=True,
        prepare=_fresh_case,
    ),
    FormCase(
        "review_resolve",
        "reviewer",
        lambda w: reverse("review:flag_resolve", args=[w.flag.pk]),
        lambda w: {"resolve-outcome": "not_present", "resolve-note": "Assessed."},
        ["resolve-outcome", "resolve-note"],
        prepare=_fresh_case,
    ),
    FormCase(
        "review_dismiss",
        "reviewer",
        lambda w: reverse("review:flag_dismiss", args=[w.flag.pk]),
        lambda w: {"dismiss-reason": "Duplicate."},
        ["dismiss-reason"],
        free_text=True,
        prepare=_fresh_case,
    ),
    FormCase(
        "audit_filter",
        "admin",
        lambda w: reverse("audit:log"),
        lambda w: {"action": AuditAction.EXPORT},
        ["username", "mrn", "patient", "action", "date_from", "date_to"],
        writes=False,
    ),
    FormCase(
        "user_create",
        "admin",
        lambda w: reverse("user_new"),
        lambda w: {
            "username": "new_person",
            "first_name": "New",
            "last_name": "Person",
            "email": "new.person@example.org",
            "role": "clinician",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        ["username", "first_name", "last_name", "email", "role", "password1", "password2"],
    ),
    FormCase(
        "user_role",
        "admin",
        lambda w: reverse("user_edit", args=[w.target.pk]),
        lambda w: {"role": "reviewer"},
        ["role"],
    ),
    FormCase(
        "user_password_reset",
        "admin",
        lambda w: reverse("user_password", args=[w.target.pk]),
        lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ["new_password1", "new_password2"],
        free_text=True,  # the same strong text in both fields is a valid new password
    ),
    FormCase(
        "own_password",
        "clinician",
        lambda w: reverse("password_change"),
        lambda w: {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        ["old_password", "new_password1", "new_password2"],
    ),
    FormCase(
        "two_factor_enrolment",
        "reviewer",
        lambda w: reverse("two_factor"),
        lambda w: {},
        ["code"],
    ),
]
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
BY_NAME = {case.name: case for case in FORMS}


@pytest.fixture
def world(clinician, reviewer, admin_user) -> World:
    flag = FlagFactory(visit__clinician=clinician)
    target = make_user("target_person", "clinician")
    return World(patient=PatientFactory(), visit=flag.visit, flag=flag, target=target)


def _signed_in(client: Client, role: str | None) -> Client:
    usernames = {"clinician": "dr_clinician", "reviewer": "rev_reviewer", "admin": "ad_admin"}
    if role is None:
        client.logout()
    else:
        client.force_login(User.objects.get(username=usernames[role]))
    return client


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
        if name in {"confirm", "next"}:
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


def test_markup_and_sql_in_a_note_are_kept_as_typed_and_shown_escaped(client, world):
    _signed_in(client, "reviewer")
    typed = "<script>alert(1)</script> '; DROP TABLE screening_flag; --"
    client.post(reverse("review:flag_note", args=[world.flag.pk]), {"note-note": typed})
    assert FlagEvent.objects.get(flag=world.flag).note == typed
    page = client.get(reverse("review:flag", args=[world.flag.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Flag.objects.filter(pk=world.flag.pk).exists()


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
