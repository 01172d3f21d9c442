"""Screens that arrive as FHIR QuestionnaireResponses: read, checked against the Questionnaire,
their patients found by MRN (or registered), and recorded like a form's submit (issue 18, point 2).

Reading is pure (`read_submission`): every problem of every response is found before anything
is written. Recording (`accept_responses`) runs one durable transaction for all of them, through
the same work as `register_patient` and `record_visit`, so a Bundle stands or falls whole.
"""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.services import Actor
from exports.fhir import MRN_SYSTEM
from exports.sdc import BASE, Problem, parse_instant, read_answers
from interop.models import ApiClient
from lib.dates import EARLIEST_DAY
from patients.models import Patient, Sex
from patients.services import register_patient_in_transaction
from screening.services.visits import (
    Recorded,
    SubmissionOfAnotherPatient,
    record_visit_in_transaction,
)

# A response's identifier (system|value) names its visit for good: a repeat records nothing.
SUBMISSION_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/QuestionnaireResponse")
MR_TYPE = ("http://terminology.hl7.org/CodeSystem/v2-0203", "MR")
# The username of an API client's service user: the client's id after it.
SERVICE_USER_PREFIX = "api-client-"
# The advisory-lock class of "registering this MRN" (the key's first half; the MRN's hash is the
# second).
_MRN_LOCK = 18
# Where a registration's field lives in the contained Patient, for the expression.
_PATIENT_FIELDS = {
    "mrn": "identifier",
    "given_name": "name.given",
    "family_name": "name.family",
    "date_of_birth": "birthDate",
    "sex": "gender",
}


@dataclass(frozen=True)
class Demographics:
    """What a contained Patient carries to register a patient new to the clinic."""

    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str


@dataclass(frozen=True)
class Submission:
    """One response, read and checked: whose screen, the answers, when, and its identity."""

    mrn: str
    demographics: Demographics | None
    answers: dict[str, object]
    visit_at: dt.datetime
    submission_id: uuid.UUID
    where: str  # the FHIRPath of the response, e.g. Bundle.entry[2].resource
    patient_path: str  # the FHIRPath of its Patient, for a registration's issues


class Refused(Exception):
    """Responses that cannot be recorded; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(problem.diagnostics for problem in problems))
        self.problems = list(problems)


def is_mrn(identifier: object) -> bool:
    """An Identifier that is an MRN: of our MRN system, or typed MR (HL7 v2 table 0203)."""
    if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str):
        return False
    codings = (identifier.get("type") or {}).get("coding") or []
    typed = any(
        isinstance(coding, dict) and (coding.get("system"), coding.get("code")) == MR_TYPE
        for coding in codings
    )
    return identifier.get("system") == MRN_SYSTEM or typed


def _demographics(patient: Mapping[str, Any]) -> Demographics | None:
    """The names, birth date and sex a Patient carries, None when any is missing (the patient
    can then only be one already registered)."""
    names = [name for name in patient.get("name") or [] if isinstance(name, dict)]
    name = names[0] if names else {}
    given = name.get("given") or []
    family, birth_date, gender = name.get("family"), patient.get("birthDate"), patient.get("gender")
    if not (given and isinstance(given[0], str) and isinstance(family, str)):
        return None
    try:
        born = dt.date.fromisoformat(birth_date) if isinstance(birth_date, str) else None
    except ValueError:
        born = None
    if born is None or gender not in Sex.values:
        return None
    return Demographics(given[0], family, born, gender)


def _subject(resource: Mapping[str, Any], where: str) -> tuple[str, Demographics | None, str]:
    """(MRN, demographics or None, the Patient's FHIRPath); raises Refused naming the subject."""
    subject = resource.get("subject")
    path = f"{where}.subject"
    if not isinstance(subject, dict):
        raise Refused([Problem("required", path, "subject is required: the patient screened")])
    reference = subject.get("reference")
    if isinstance(reference, str) and reference.startswith("#"):
        contained = resource.get("contained") or []
        for index, candidate in enumerate(contained):
            if (
                isinstance(candidate, dict)
                and candidate.get("resourceType") == "Patient"
                and candidate.get("id") == reference[1:]
            ):
                mrns = [i["value"] for i in candidate.get("identifier") or [] if is_mrn(i)]
                patient_path = f"{where}.contained[{index}]"
                if not mrns:
                    raise Refused(
                        [
                            Problem(
                                "required",
                                f"{patient_path}.identifier",
                                f"the Patient needs an MRN identifier (system {MRN_SYSTEM}, "
                                "or type MR)",
                            )
                        ]
                    )
                return mrns[0], _demographics(candidate), patient_path
        raise Refused([Problem("not-found", path, f"no contained Patient {reference}")])
    if is_mrn(subject.get("identifier")):
        return subject["identifier"]["value"], None, path
    raise Refused(
        [
            Problem(
                "value",
                path,
                "subject must name the patient by MRN: a reference to a contained Patient with "
                f"an MRN identifier, or an identifier of system {MRN_SYSTEM} (or type MR)",
            )
        ]
    )


def _submission_id(resource: Mapping[str, Any], where: str) -> uuid.UUID:
    identifier = resource.get("identifier")
    if identifier is None:
        return uuid.uuid4()  # nothing to recognise a repeat by: each post is a new screen
    if not (
        isinstance(identifier, dict)
        and isinstance(identifier.get("value"), str)
        and identifier["value"]
    ):
        raise Refused(
            [Problem("value", f"{where}.identifier", "identifier needs a system and a value")]
        )
    return uuid.uuid5(SUBMISSION_NAMESPACE, f"{identifier.get('system', '')}|{identifier['value']}")


def _at(prefix: str, problem: Problem) -> Problem:
    """The problem with its expression inside `prefix` (a Bundle's entry)."""
    inner = problem.expression.removeprefix("QuestionnaireResponse")
    return Problem(problem.code, f"{prefix}{inner}", problem.diagnostics)


def read_submission(
    resource: Mapping[str, Any], where: str = "QuestionnaireResponse"
) -> Submission:
    """The response as a submission to record; raises Refused with every problem found."""
    if not isinstance(resource, Mapping):
        raise Refused([Problem("structure", where, "expected a QuestionnaireResponse object")])
    answers, problems = read_answers(resource)
    problems = [_at(where, problem) for problem in problems]
    mrn, demographics, patient_path = "", None, where
    submission_id = uuid.uuid4()
    try:
        mrn, demographics, patient_path = _subject(resource, where)
    except Refused as refused:
        problems.extend(refused.problems)
    try:
        submission_id = _submission_id(resource, where)
    except Refused as refused:
        problems.extend(refused.problems)
    authored = resource.get("authored")
    visit_at = parse_instant(authored) if authored is not None else timezone.now()
    if visit_at is None:
        problems.append(
            Problem(
                "value",
                f"{where}.authored",
                "authored must be a dateTime with a time and a zone, e.g. 2026-03-01T09:30:00Z",
            )
        )
    if problems or visit_at is None:
        raise Refused(problems)
    return Submission(mrn, demographics, answers, visit_at, submission_id, where, patient_path)


def _patient(submission: Submission, *, actor: Actor, require_existing: bool) -> Patient:
    """The patient of the MRN, registered first when new and allowed; raises Refused."""
    # Two posts for one new MRN at once: the second waits here until the first commits, then
    # finds the patient it registered (a row that does not exist yet cannot be locked).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_MRN_LOCK, submission.mrn]
        )
    patient = Patient.objects.filter(mrn=submission.mrn).first()
    if patient is not None:
        return patient
    where = submission.patient_path
    if require_existing:
        raise Refused(
            [
                Problem(
                    "not-found",
                    where,
                    "no patient is registered with this MRN, and this server records screens "
                    "of registered patients only",
                )
            ]
        )
    if submission.demographics is None:
        raise Refused(
            [
                Problem(
                    "required",
                    where,
                    "no patient is registered with this MRN: to register one, send a contained "
                    "Patient with the MRN, name (family and given), birthDate and gender "
                    "(male or female)",
                )
            ]
        )
    born = submission.demographics.date_of_birth
    if not EARLIEST_DAY <= born <= timezone.localdate():
        raise Refused(
            [
                Problem(
                    "value",
                    f"{where}.birthDate",
                    f"birthDate must lie from {EARLIEST_DAY.isoformat()} to today",
                )
            ]
        )
    try:
        return register_patient_in_transaction(
            mrn=submission.mrn,
            given_name=submission.demographics.given_name,
            family_name=submission.demographics.family_name,
            date_of_birth=submission.demographics.date_of_birth,
            sex=submission.demographics.sex,
            education=None,
            earnings=None,
            actor=actor,
        )
    except ValidationError as error:
        raise Refused(
            [
                Problem("value", f"{where}.{_PATIENT_FIELDS[field]}", message)
                if field in _PATIENT_FIELDS
                else Problem("value", where, message)
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


def _service_user(client: ApiClient) -> Any:
    """The client's own user, created on its first write: inactive and without a password, so it
    never signs in; it is the clinician of the visits the client records and their audit actor."""
    user, created = get_user_model().objects.get_or_create(
        username=f"{SERVICE_USER_PREFIX}{client.pk}",
        defaults={"is_active": False, "last_name": client.name[:150]},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.is_active or user.has_usable_password():
        # a person's account under the reserved name must never stand behind an API write
        raise Refused(
            [
                Problem(
                    "security",
                    "QuestionnaireResponse",
                    f"the API client's service user {user.get_username()} is a person's account; "
                    "an administrator must rename it",
                )
            ]
        )
    return user


def accept_responses(
    *,
    submissions: Sequence[Submission],
    client: ApiClient,
    ip_address: str | None,
    require_existing: bool,
) -> list[Recorded]:
    """Each submission recorded as a visit (or found, when its identifier was seen before) by
    the client's service user, all in one transaction; raises Refused, having written nothing,
    if any one cannot be."""
    with transaction.atomic(durable=True):
        actor = Actor(user=_service_user(client), ip_address=ip_address)
        recorded = []
        for submission in submissions:
            patient = _patient(submission, actor=actor, require_existing=require_existing)
            try:
                recorded.append(
                    record_visit_in_transaction(
                        patient=patient,
                        answers=submission.answers,
                        covariates={},
                        visit_at=submission.visit_at,
                        submission_id=submission.submission_id,
                        actor=actor,
                    )
                )
            except SubmissionOfAnotherPatient as error:
                raise Refused(
                    [
                        Problem(
                            "duplicate",
                            f"{submission.where}.identifier",
                            "this identifier already recorded the screen of another patient",
                        )
                    ]
                ) from error
    return recorded
