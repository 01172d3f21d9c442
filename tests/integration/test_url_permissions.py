"""Every URL in the project: anonymous → sign-in page, a role without the permission → 403,
the right role → 200. A new URL fails this test until it is listed here with its role."""

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from exports.models import ExportJob
from interop.models import ApiClient
from tests.conftest import make_user
from tests.factories import FlagFactory, RecordedInstrumentFactory, SelfEntryFactory

ROLES = ["clinician", "reviewer", "admin"]

# URL name → the least role that may open it. Every other role below it must get 403.
PAGES: dict[str, str] = {
    "home": "clinician",
    "patients:search": "clinician",
    "patients:new": "clinician",
    "patients:detail": "clinician",
    "screening:visit_new": "clinician",
    "screening:visit": "clinician",
    "screening:visit_amend": "clinician",
    "screening:instrument_new": "clinician",
    "screening:instrument": "clinician",
    "screening:instrument_amend": "clinician",
    "intake:invitations": "clinician",
    "intake:waiting": "clinician",
    "intake:self_entry": "clinician",
    "review:queue": "reviewer",
    "review:flag": "reviewer",
    "review:rescreen": "reviewer",
    "two_factor": "reviewer",
    "exports:exports": "admin",
    "exports:export_count": "admin",
    "exports:export_download": "admin",
    "exports:job": "admin",
    "exports:job_status": "admin",
    "exports:job_file": "admin",
    "analytics:analytics": "admin",
    "analytics:methods": "admin",
    "audit:log": "admin",
    "users": "admin",
    "user_new": "admin",
    "user_edit": "admin",
    "user_deactivate": "admin",
    "user_password": "admin",
    "interop:clients": "admin",
    "interop:client_revoke": "admin",
}
# URL name → least role, for views that only accept POST (GET answers 405 to that role).
POST_ONLY: dict[str, str] = {
    "intake:withdraw": "clinician",
    "review:queue_search": "reviewer",
    "review:flag_claim": "reviewer",
    "review:flag_release": "reviewer",
    "review:flag_take_over": "reviewer",
    "review:flag_note": "reviewer",
    "review:flag_resolve": "reviewer",
    "review:flag_dismiss": "reviewer",
    "review:flag_reopen": "reviewer",
    "two_factor_remove": "reviewer",
    "audit:export": "admin",
    "exports:job_create": "admin",
    "user_reactivate": "admin",
    "user_two_factor_remove": "admin",
}
# Any signed-in person, whatever their role (their own password).
SIGNED_IN = {"password_change"}
# POST only, for anyone signed in (the browser's keep-alive while a person types).
SIGNED_IN_POST = {"keepalive"}
# Open without sign-in by design (the OTP steps redirect to sign-in without a password step).
PUBLIC = {"login", "logout", "healthz", "login_otp", "login_otp_enrol"}
# The patient's self-entry pages: no sign-in, and a clinician's session ends on them (issue 17).
PATIENT_PAGES = {"intake:start", "intake:entry", "intake:done", "intake:link"}
# The FHIR API and CDS Hooks: an API client's bearer token, never a session (interop.auth). Each
# answers 401 with an OperationOutcome to a request without one, signed in or not.
BEARER = {
    "fhir:Patient",
    "fhir:Patient-read",
    "fhir:QuestionnaireResponse",
    "fhir:QuestionnaireResponse-read",
    "fhir:Observation",
    "fhir:Observation-read",
    "fhir:Flag",
    "fhir:Flag-read",
    "fhir:unknown",
    "cds_discovery",
    "fhir:Questionnaire-read",
    "fhir_transaction",
    "cds:service",
}
# ... except the CapabilityStatement, public as on FHIR servers (no patient data).
BEARER_PUBLIC = {"fhir:metadata"}
# Query strings a page needs to answer 200 (filters; never patient data).
_EXPORT = "?date_from=2020-01-01&date_to=2030-12-31&format=csv&labels=codes&dates=shifted"
QUERY = {"exports:export_count": _EXPORT, "exports:export_download": _EXPORT}
# What the least role gets when not 200: the walk's export job is queued, so it has no file yet.
ALLOWED_STATUS = {"exports:job_file": 410}
JOB_PAGES = {"exports:job", "exports:job_status", "exports:job_file"}


def walker(role: str):  # type: ignore[no-untyped-def]
    """The walk's user holding `role`: made once (an export job belongs to the admin one)."""
    from django.contrib.auth.models import User

    return User.objects.filter(username=f"walk_{role}").first() or make_user(f"walk_{role}", role)


def _names(patterns: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django's admin has its own staff check
            prefix = f"{entry.namespace}:" if entry.namespace else namespace
            found += _names(entry.url_patterns, prefix)
        elif entry.name:
            found.append((namespace + entry.name, entry))
    return found


def test_every_url_is_classified():
    names = {name for name, _ in _names(get_resolver().url_patterns)}
    unlisted = (
        names - set(PAGES) - set(POST_ONLY) - SIGNED_IN - SIGNED_IN_POST - PUBLIC - PATIENT_PAGES
    )
    unlisted -= BEARER | BEARER_PUBLIC
    assert unlisted == set(), f"add these URLs to the permission walk: {sorted(unlisted)}"


@pytest.fixture
def url_for(db: None):
    flag = FlagFactory()
    instrument = RecordedInstrumentFactory(patient=flag.patient, flag=flag)
    someone = make_user("walk_subject", "clinician")
    entry = SelfEntryFactory(visit=flag.visit)
    job = ExportJob.objects.create(
        requested_by=walker("admin"),
        format="csv",
        deidentified=False,
        filters={},
        options={},
        rows_announced=0,
    )
    pks = (
        dict.fromkeys(JOB_PAGES, job.pk)
        | {
            "patients:detail": flag.patient_id,
            "screening:visit": flag.visit_id,
            "screening:visit_amend": flag.visit_id,
            "screening:instrument": instrument.pk,
            "screening:instrument_amend": instrument.pk,
            "intake:self_entry": entry.pk,
            "intake:withdraw": entry.invitation_id,
        }
        | {name: someone.pk for name in PAGES | POST_ONLY if name.startswith("user_")}
    )
    pks["interop:client_revoke"] = ApiClient.objects.create(
        name="walk", token_prefix="walkwalk", token_hash="0" * 64
    ).pk
    patterns = dict(_names(get_resolver().url_patterns))
    fixed = {"patient_id": flag.patient_id, "instrument": "phq9"}

    def _url(name: str) -> str:
        kwargs = {}
        for key in patterns[name].pattern.converters:
            if key == "token":
                kwargs[key] = "not-a-token"
                continue
            kwargs[key] = fixed.get(key, pks.get(name, flag.pk))
        return reverse(name, kwargs=kwargs) + QUERY.get(name, "")

    return _url


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES | POST_ONLY))
def test_anonymous_is_sent_to_sign_in_when_opening(client, url_for, name):
    url = url_for(name)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNED_IN))
def test_signed_in_pages_open_for_anyone_signed_in_and_no_one_else(client, url_for, name):
    url = url_for(name)
    assert client.get(url)["Location"].startswith("/accounts/login/?next=")
    client.force_login(make_user("no_role_walker", None))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNED_IN_POST))
def test_signed_in_actions_answer_anyone_signed_in_and_no_one_else(client, url_for, name):
    url = url_for(name)
    assert client.post(url)["Location"].startswith("/accounts/login/?next=")
    client.force_login(make_user("no_role_poster", None))
    assert client.post(url).status_code == 204
    assert client.get(url).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES | POST_ONLY))
def test_each_role_gets_403_below_and_access_at_or_above_the_page_role(client, url_for, name):
    least = (PAGES | POST_ONLY)[name]
    for role in ROLES:
        client.force_login(walker(role))
        url = url_for(name)
        allowed = ROLES.index(role) >= ROLES.index(least)
        if name in POST_ONLY:
            status = client.post(url).status_code
            assert (status != 403) if allowed else (status == 403), (role, status)
        else:
            response = client.get(url, follow=name == "home")
            assert response.status_code == (ALLOWED_STATUS.get(name, 200) if allowed else 403), role
        client.logout()


@pytest.mark.django_db
def test_user_without_a_role_gets_403_on_every_page(client, url_for, no_role_user):
    client.force_login(no_role_user)
    for name in sorted(PAGES):
        if name == "home":
            continue
        assert client.get(url_for(name)).status_code == 403, name
    for name in sorted(POST_ONLY):
        assert client.post(url_for(name)).status_code == 403, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PATIENT_PAGES))
def test_patient_pages_open_without_sign_in(client, url_for, name):
    response = client.get(url_for(name))
    assert not response.get("Location", "").startswith("/accounts/login/")
    assert response.status_code in (200, 302, 410)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PATIENT_PAGES))
def test_patient_pages_end_a_clinicians_session_on_the_same_browser(client, url_for, name):
    client.force_login(make_user("walk_clinician_at_tablet", "clinician"))
    client.get(url_for(name))
    response = client.get(url_for("patients:search"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def _bearer_url(name: str) -> str:
    pattern = dict(_names(get_resolver().url_patterns))[name].pattern
    kwargs = dict.fromkeys(getattr(pattern, "converters", {}), "1")
    if "(?P<rest>" in str(pattern):
        kwargs["rest"] = "Nothing/here"
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BEARER))
def test_api_urls_answer_401_without_a_token_even_to_a_signed_in_admin(client, name):
    url = _bearer_url(name)
    anonymous = client.get(url)
    client.force_login(make_user("walk_admin_api", "admin"))
    signed_in = client.get(url)
    for response in (anonymous, signed_in):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/fhir+json")
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BEARER_PUBLIC))
def test_public_api_urls_answer_anyone(client, name):
    assert client.get(_bearer_url(name)).status_code == 200
