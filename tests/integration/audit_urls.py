"""The audit log's addresses, and every URL the project serves classified for the audit trail:
the pages that show patient data, each with the audit row its GET must leave, and the ones that
show none, each with the reason. test_audit_trail walks the first and fails on a URL in neither,
so a new page cannot forget its audit row."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditAction
from tests.factories import ANSWERS, VisitFactory, days_ago

LOG = "/audit/"
EXPORT = "/audit/export/"


@dataclass(frozen=True)
class Read:
    """A page that shows patient data, and the audit row a GET of it must leave."""

    action: AuditAction
    # the factory object whose id fills the URL's <pk>; <patient_id> is always the patient's,
    # <instrument> an instrument's code
    pk: str = "patient"
    # the row points to the one patient the page is about (list pages name none: their detail
    # lists ids, or counts)
    names_patient: bool = True
    # the page shows the walked patient's MRN (aggregates and counts do not)
    shows_mrn: bool = True
    query: str = ""
    # what a person does first for the page to show anyone (a search kept in the session)
    prepare: Callable[[Client, Any], None] | None = None


def _search_for_the_patient(client: Client, world: Any) -> None:
    client.post(reverse("patients:search"), {"q": world.patient.mrn})


def _leave_a_row_naming_the_patient(client: Client, world: Any) -> None:
    client.get(reverse("patients:detail", args=[world.patient.pk]))


def _make_the_patient_due(client: Client, world: Any) -> None:
    # an amendment of the walked visit, a year and a half back, positive for back pain alone:
    # the patient's latest current visit, so they are due for re-screening
    VisitFactory(
        patient=world.patient,
        answers=ANSWERS["back_pain"],
        visit_at=days_ago(550),
        amends=world.visit,
        amendment_reason="walked",
    )


READS: dict[str, Read] = {
    "patients:search": Read(
        AuditAction.PATIENT_SEARCH,
        names_patient=False,
        query="?page=1",
        prepare=_search_for_the_patient,
    ),
    "patients:detail": Read(AuditAction.PATIENT_VIEW),
    "screening:visit_new": Read(AuditAction.PATIENT_VIEW),
    "screening:visit": Read(AuditAction.VISIT_VIEW, pk="visit"),
    "screening:visit_amend": Read(AuditAction.VISIT_VIEW, pk="visit"),
    "screening:instrument_new": Read(AuditAction.PATIENT_VIEW),
    "screening:instrument": Read(AuditAction.VISIT_VIEW, pk="instrument"),
    "screening:instrument_amend": Read(AuditAction.VISIT_VIEW, pk="instrument"),
    "review:queue": Read(AuditAction.QUEUE_VIEW, names_patient=False),
    "intake:invitations": Read(AuditAction.PATIENT_VIEW),
    "intake:self_entry": Read(AuditAction.SELF_ENTRY_VIEW, pk="self_entry"),
    # the walked patient has no self-entry waiting, so the list shows no MRN
    "intake:waiting": Read(AuditAction.SELF_ENTRY_VIEW, names_patient=False, shows_mrn=False),
    "review:flag": Read(AuditAction.FLAG_VIEW, pk="flag"),
    "review:rescreen": Read(
        AuditAction.RESCREEN_VIEW, names_patient=False, prepare=_make_the_patient_due
    ),
    "exports:export_download": Read(AuditAction.EXPORT, names_patient=False),
    "analytics:analytics": Read(AuditAction.ANALYTICS_VIEW, names_patient=False, shows_mrn=False),
    "audit:log": Read(
        AuditAction.AUDIT_VIEW, names_patient=False, prepare=_leave_a_row_naming_the_patient
    ),
}

_POST_ONLY_CASE_ACTION = (
    "POST only; redirects to the case, whose every showing (also with a refused action's "
    "errors) is audited as flag_view"
)
_ACCOUNTS = "user accounts, roles and devices; no patient"
NO_PATIENT_DATA: dict[str, str] = {
    "home": "redirects to the patient search, which lists no one until someone searches",
    "healthz": "database reachability only",
    "login": "the sign-in form",
    "login_otp": "the two-factor code form",
    "login_otp_enrol": "the two-factor enrolment form",
    "logout": "signs out (POST) and redirects",
    # background export jobs: the job's choices and counts, never a patient; queueing and the
    # file's download have their own audit rows (export_queued, export_download)
    "exports:job_create": "queues an export job (POST), audited as export_queued",
    "exports:job": "a job's format, choices, progress and status",
    "exports:job_status": "a job's progress as JSON: counts and status",
    "exports:job_file": "the finished file, audited as export_download",
    "keepalive": "POST only; answers 204 with no body",
    "password_change": "the user's own password",
    "two_factor": "the user's own authenticator",
    "two_factor_remove": "POST only; the user's own authenticator",
    "users": _ACCOUNTS,
    "user_new": _ACCOUNTS,
    "user_edit": _ACCOUNTS,
    "user_deactivate": _ACCOUNTS,
    "user_reactivate": _ACCOUNTS,
    "user_password": _ACCOUNTS,
    "user_two_factor_remove": _ACCOUNTS,
    "interop:clients": "API clients: names, scopes and token prefixes; no patient",
    "interop:client_revoke": "an API client's revocation; no patient",
    "patients:new": (
        "an empty registration form; its warning of a likely duplicate (a POST) names the "
        "registered patients and is audited as patient_view of each"
    ),
    "review:queue_search": (
        "POST only; keeps the search in the session and redirects to the queue, whose showing "
        "is audited as queue_view and patient_search (counts only)"
    ),
    "review:flag_claim": _POST_ONLY_CASE_ACTION,
    "review:flag_release": _POST_ONLY_CASE_ACTION,
    "review:flag_take_over": _POST_ONLY_CASE_ACTION,
    "review:flag_note": _POST_ONLY_CASE_ACTION,
    "review:flag_resolve": _POST_ONLY_CASE_ACTION,
    "review:flag_dismiss": _POST_ONLY_CASE_ACTION,
    "review:flag_reopen": _POST_ONLY_CASE_ACTION,
    "analytics:methods": "docs/analytics.md as plain text: the methods, no data",
    "exports:exports": "the export choices and the number of visits they match, no row",
    "exports:export_count": "the number of visits the choices match (JSON)",
    "audit:export": "POST only; audited as audit_export; the file names patients by id only",
    "intake:withdraw": "POST only; redirects to the patient's self-entry page, audited there",
    "intake:start": "the patient's start page: a box for a code",
    "intake:entry": "the patient's date of birth box, then questions; no patient data shown",
    "intake:link": "the patient's date of birth box, then questions; no patient data shown",
    "intake:done": "the patient's thank-you or crisis page; no patient data",
}
# The FHIR API and CDS Hooks: a bearer token's, never a session's (a session alone gets 401), and
# every call that names a client is audited as api_call with the client, the resource and the
# patient (tests/integration/test_fhir_api_auth.py walks each of these with a token).
API_CALLS: dict[str, str] = {
    "fhir:metadata": "the CapabilityStatement: served without a token, no patient data",
    "fhir:Patient": "search by MRN identifier; the patient when one matches",
    "fhir:Patient-read": "a Patient; the patient",
    "fhir:QuestionnaireResponse": "search by patient; the patient",
    "fhir:QuestionnaireResponse-read": "a visit's screen; the patient",
    "fhir:Observation": "search by patient and code; the patient",
    "fhir:Observation-read": "a visit's classification; the patient",
    "fhir:Flag": "search by patient and status; the patient",
    "fhir:Flag-read": "a flag; the patient",
    "fhir:unknown": "any other path under /fhir/: 404 OperationOutcome",
    "cds_discovery": "the CDS Hooks services offered, no patient data",
}
API_CALLS |= {
    "fhir:Questionnaire-read": "the screen's Questionnaire, no patient data",
    "fhir:QuestionnaireResponse": "POST records a visit: visit_record (and patient_create) rows "
    "by the client's service user, and the api_call row names the patient",
    "fhir_transaction": "a Bundle of QuestionnaireResponses: one api_call row, and a "
    "visit_record row per visit by the client's service user",
    "cds:service": "patient-view cards: the api_call row names the patient found",
}
# Django's admin: the site's own pages, then each model registered with it. A model registered
# later (a patient's, a visit's) is unclassified until it is listed here or audited.
ADMIN_SITE: dict[str, str] = {
    "admin:index": "the list of models",
    "admin:login": "the admin's sign-in form",
    "admin:logout": "signs out",
    "admin:password_change": "the user's own password",
    "admin:password_change_done": "the user's own password",
    "admin:jsi18n": "the admin's translations (JavaScript)",
    "admin:app_list": "the list of an app's models",
    "admin:autocomplete": "answers only fields named in autocomplete_fields, and no admin names one",
    "admin:view_on_site": "redirects to an object's own page, which audits its showing",
    "admin:route:(?P<url>.*)$": "the admin's catch-all: redirects or 404",
}
ADMIN_MODELS: dict[str, str] = {
    "auth.group": "the role groups and their permissions",
    "auth.user": _ACCOUNTS,
    "axes.accessattempt": "sign-in attempts: usernames and addresses",
    "axes.accesslog": "sign-in attempts: usernames and addresses",
    "axes.accessfailurelog": "sign-in attempts: usernames and addresses",
    "otp_totp.totpdevice": "authenticator devices",
    "audit.audit": "audit rows, the patient by id only (audit.admin.AuditAdmin), as in the CSV",
    "django_tasks_database.dbtaskresult": "queued tasks: the task's name and an export job's id",
}


def url_patterns(
    patterns: list[Any] | None = None, namespace: str = "", route: str = ""
) -> list[tuple[str, str, URLPattern]]:
    """(key, full route, pattern) of every URL the resolver knows: the key is the URL's name
    with its namespace, or `namespace:route:<pattern>` for an unnamed one."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            found += url_patterns(entry.url_patterns, inner, route + str(entry.pattern))
        else:
            key = namespace + (entry.name or f"route:{entry.pattern}")
            found.append((key, route + str(entry.pattern), entry))
    return found


def admin_model(key: str, route: str) -> str | None:
    """The model label ("audit.audit") of an admin URL that belongs to a registered model."""
    for model in admin.site._registry:
        app_label, model_name = model._meta.app_label, model._meta.model_name
        named = key.startswith(f"admin:{app_label}_{model_name}_")
        if named or f"/{app_label}/{model_name}/" in f"/{route}":
            return model._meta.label_lower
    return None


def unclassified() -> list[str]:
    """Routes of the URLs that are neither walked as reads nor listed as showing no patient."""
    missing = []
    for key, route, _ in url_patterns():
        if key in READS or key in NO_PATIENT_DATA or key in ADMIN_SITE or key in API_CALLS:
            continue
        if key.startswith("admin:") and admin_model(key, route) in ADMIN_MODELS:
            continue
        missing.append(f"{key} ({route})")
    return missing
