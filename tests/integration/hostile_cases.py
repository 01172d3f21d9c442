"""The forms the hostile-input tests post to (where, as whom, a valid submission, the field
names), the row counts a refusal must leave unchanged, and the world of records they act on."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Audit, AuditAction
from patients.models import Patient
from screening.models import Flag, FlagEvent, Visit
from tests.conftest import TEST_PASSWORD, make_user
from tests.factories import ANSWERS, FlagFactory, PatientFactory

OVERLONG = "9" * 10_000
# What a refusal may still leave behind: the audit of looking, or of a failed sign-in.
ALLOWED_AUDIT = {
    AuditAction.SIGN_IN_FAILED,
    AuditAction.LOCKOUT,
    AuditAction.AUDIT_VIEW,
    AuditAction.PATIENT_SEARCH,
    AuditAction.PATIENT_VIEW,
    AuditAction.VISIT_VIEW,
    AuditAction.FLAG_VIEW,
    AuditAction.QUEUE_VIEW,
    AuditAction.INVITATION_OPEN,  # a patient's page opened: looking, like a page viewed
}
# Days outside lib.dates' range, which every date filter refuses by the field: the day after
# 9999-12-31 (or that instant in the clinic's time zone) overflowed into a 500.
OUT_OF_RANGE_DAYS = ["9999-12-31", "2101-01-01", "1899-12-31", "0001-01-01"]
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "alert-danger", "errorlist", "didn't match")


def error_by_field(body: str, field: str, message: str) -> bool:
    """The page shows `message` as the field's own error (crispy's feedback beside the field)."""
    return f'<span id="error_1_id_{field}"><strong>{escape(message)}</strong></span>' in body


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


def _invitation(world: World) -> Any:
    """The world's self-entry invitation, created once (its token exists only here)."""
    from audit.services import Actor
    from intake.services import create_invitation

    if getattr(world, "invitation", None) is None:
        clinician = User.objects.get(username="dr_clinician")
        world.invitation = create_invitation(  # type: ignore[attr-defined]
            patient=world.patient, mode="tablet", actor=Actor(clinician)
        )
    return world.invitation  # type: ignore[attr-defined]


def _self_link(world: World) -> str:
    return reverse("intake:link", args=[_invitation(world).token])


def _confirmed(client: Client, world: World) -> None:
    """The patient's browser has opened the link and confirmed the date of birth."""
    client.logout()
    link = _self_link(world)
    client.get(link)
    client.post(link, {"date_of_birth": world.patient.date_of_birth.isoformat()})


def _patient_answers(answers: dict[str, Any]) -> dict[str, str]:
    return {
        key: ("yes" if value else "no") if isinstance(value, bool) else value
        for key, value in answers.items()
    }


def _answer_keys() -> list[str]:
    from screening.questionnaire import ANSWER_KEYS

    return [*ANSWER_KEYS, "shown"]


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
        lambda w: {**_visit_form(ANSWERS["negative"]), "amendment_reason": "Answer misheard."},
        [*_screening_fields(), "amendment_reason"],
    ),
    FormCase(
        "self_entry_code",
        None,
        lambda w: reverse("intake:start"),
        lambda w: {"code": _invitation(w).short_code},
        ["code"],
        writes=False,  # a right code writes no row, only the opening's audit
        prepare=lambda client, world: _invitation(world) and None,
    ),
    FormCase(
        "self_entry_date_of_birth",
        None,
        _self_link,
        lambda w: {"date_of_birth": _invitation(w) and w.patient.date_of_birth.isoformat()},
        ["date_of_birth"],
        writes=False,  # a right date of birth writes no row, only the opening's audit
        prepare=lambda client, world: _invitation(world) and None,
    ),
    FormCase(
        "self_entry_answers",
        None,
        _self_link,
        lambda w: {
            "date_of_birth": _invitation(w) and w.patient.date_of_birth.isoformat(),
            **_patient_answers(ANSWERS["negative"]),
        },
        _answer_keys(),
        prepare=_confirmed,
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
