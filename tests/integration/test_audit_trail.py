"""The audit trail covers every kind of action, each row written in the transaction of what it
records: when the row cannot be written, nothing is changed. Every page that shows patient data
leaves its row when opened (the URLs are walked from the resolver: audit_urls.py)."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from patients.models import Patient
from screening.models import Flag, RecordedInstrument, Visit
from tests.conftest import TEST_PASSWORD
from tests.factories import ANSWERS, FlagFactory, RecordedInstrumentFactory, SelfEntryFactory
from tests.integration.audit_urls import (
    EXPORT,
    LOG,
    READS,
    Read,
    unclassified,
    url_patterns,
)

pytestmark = pytest.mark.django_db


def _visit_post(answers):
    data = {
        "submission_id": str(uuid.uuid4()),
        "visit_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    for key, value in answers.items():
        data[key] = ("yes" if value else "no") if isinstance(value, bool) else value
    return data


REGISTRATION = {
    "mrn": "MRN-ATOMIC-1",
    "given_name": "Rosa",
    "family_name": "Lind",
    "date_of_birth": "1970-01-30",
    "sex": "female",
}


def test_every_kind_of_action_leaves_a_row_naming_who_and_where_when_the_flows_run(
    client, clinician, reviewer, admin_user, django_capture_on_commit_callbacks
):
    client.post("/accounts/login/", {"username": "dr_clinician", "password": "wrong-pass"})
    for _ in range(5):  # from another address, so this one is not locked out too
        client.post(
            "/accounts/login/",
            {"username": "locked_out", "password": "wrong-pass"},
            REMOTE_ADDR="10.9.9.9",
        )
    client.post("/accounts/login/", {"username": "dr_clinician", "password": TEST_PASSWORD})
    client.post(reverse("patients:search"), {"q": "Lind"})
    client.get(reverse("patients:search"), {"page": "1"})  # the results, audited as shown
    client.post(reverse("patients:new"), REGISTRATION)
    patient = Patient.objects.get(mrn="MRN-ATOMIC-1")
    client.get(reverse("patients:detail", args=[patient.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        visit_url = client.post(
            reverse("screening:visit_new", args=[patient.pk]), _visit_post(ANSWERS["back_pain"])
        )["Location"]
    client.get(visit_url)
    visit = Visit.objects.get(patient=patient)
    client.post(
        reverse("screening:visit_amend", args=[visit.pk]),
        {**_visit_post(ANSWERS["negative"]), "amendment_reason": "Backache answer misheard."},
    )
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "rev_reviewer", "password": TEST_PASSWORD})
    flag = Flag.objects.filter(patient=patient).first()
    client.get(reverse("review:flag", args=[flag.pk]))
    client.post(reverse("review:flag_claim", args=[flag.pk]))
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "ad_admin", "password": TEST_PASSWORD})
    b"".join(client.get(reverse("exports:export_download")).streaming_content)
    client.get(reverse("analytics:analytics"))
    client.get(LOG)
    b"".join(client.post(EXPORT).streaming_content)

    recorded = set(Audit.objects.values_list("action", flat=True))
    expected = {
        AuditAction.SIGN_IN,
        AuditAction.SIGN_OUT,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.LOCKOUT,
        AuditAction.PATIENT_SEARCH,
        AuditAction.PATIENT_CREATE,
        AuditAction.PATIENT_VIEW,
        AuditAction.VISIT_RECORD,
        AuditAction.VISIT_VIEW,
        AuditAction.VISIT_AMEND,
        AuditAction.FLAG_VIEW,
        AuditAction.FLAG_ACTION,
        AuditAction.EXPORT,
        AuditAction.ANALYTICS_VIEW,
        AuditAction.AUDIT_VIEW,
        AuditAction.AUDIT_EXPORT,
    }
    assert expected - recorded == set()
    assert not Audit.objects.filter(ip_address__isnull=True).exists()
    touched = Audit.objects.filter(
        action__in=[
            AuditAction.PATIENT_CREATE,
            AuditAction.PATIENT_VIEW,
            AuditAction.VISIT_RECORD,
            AuditAction.VISIT_VIEW,
            AuditAction.VISIT_AMEND,
            AuditAction.FLAG_VIEW,
            AuditAction.FLAG_ACTION,
        ]
    )
    assert set(touched.values_list("patient_id", flat=True)) == {patient.pk}
    assert not touched.filter(actor__isnull=True).exists()


@pytest.mark.parametrize(
    ("what", "counted"),
    [
        ("create a user", lambda: User.objects.count()),
        ("change a role", lambda: User.groups.through.objects.filter(group__name="admin").count()),
        ("deactivate a user", lambda: User.objects.filter(is_active=True).count()),
        ("reset a password", lambda: User.objects.get(username="dr_clinician").password),
        ("register a patient", lambda: Patient.objects.count()),
        ("record a visit", lambda: Visit.objects.count()),
        ("claim a case", lambda: Flag.objects.exclude(assignee=None).count()),
    ],
)
def test_nothing_is_changed_when_its_audit_row_cannot_be_written(
    client, admin_user, clinician, reviewer, what, counted, request
):
    flag = FlagFactory()
    posts = {
        "create a user": (
            "ad_admin",
            reverse("user_new"),
            {
                "username": "new_person",
                "email": "new@example.org",
                "role": "clinician",
                "password1": "tidal-copper-kettle-88",
                "password2": "tidal-copper-kettle-88",
            },
        ),
        "change a role": ("ad_admin", reverse("user_edit", args=[clinician.pk]), {"role": "admin"}),
        "deactivate a user": ("ad_admin", reverse("user_deactivate", args=[clinician.pk]), {}),
        "reset a password": (
            "ad_admin",
            reverse("user_password", args=[clinician.pk]),
            {
                "new_password1": "tidal-copper-kettle-88",
                "new_password2": "tidal-copper-kettle-88",
            },
        ),
        "register a patient": ("dr_clinician", reverse("patients:new"), REGISTRATION),
        "record a visit": (
            "dr_clinician",
            reverse("screening:visit_new", args=[flag.patient_id]),
            # the flag's visit was recorded just now: confirm this is another encounter
            {**_visit_post(ANSWERS["back_pain"]), "another_encounter": "on"},
        ),
        "claim a case": ("rev_reviewer", reverse("review:flag_claim", args=[flag.pk]), {}),
    }
    username, url, data = posts[what]
    client.force_login(User.objects.get(username=username))
    before = counted()
    request.getfixturevalue("audit_store_down")
    client.raise_request_exception = False
    response = client.post(url, data)
    assert response.status_code == 500
    assert counted() == before


def test_every_url_is_walked_as_a_read_or_listed_as_showing_no_patient():
    missing = unclassified()
    assert missing == [], f"add these to tests/integration/audit_urls.py: {missing}"


@dataclass
class Walked:
    patient: Patient
    visit: Visit
    flag: Flag
    instrument: RecordedInstrument | None = None


def _read_url(name: str, read: Read, walked: Walked) -> str:
    pattern = {key: entry for key, _, entry in url_patterns()}[name]
    ids = {"patient": walked.patient.pk, "visit": walked.visit.pk, "flag": walked.flag.pk}
    if walked.instrument is not None:
        ids["instrument"] = walked.instrument.pk
    if read.pk == "self_entry":
        ids["self_entry"] = SelfEntryFactory(visit=walked.visit).pk
    fixed = {"patient_id": walked.patient.pk, "instrument": "phq9"}
    kwargs = {key: fixed.get(key, ids[read.pk]) for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs) + read.query


@pytest.mark.parametrize("name", sorted(READS))
def test_each_page_showing_patient_data_leaves_its_audit_row_when_opened(client, admin_user, name):
    read = READS[name]
    flag = FlagFactory()
    instrument = RecordedInstrumentFactory(patient=flag.patient, flag=flag)
    walked = Walked(patient=flag.patient, visit=flag.visit, flag=flag, instrument=instrument)
    client.force_login(admin_user)
    if read.prepare is not None:
        read.prepare(client, walked)
    url = _read_url(name, read, walked)
    last = Audit.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = client.get(url)

    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    assert (walked.patient.mrn in body) == read.shows_mrn
    rows = Audit.objects.filter(id__gt=last, action=read.action)
    assert rows.count() == 1, f"{url}: no {read.action} row"
    row = rows.get()
    assert (row.actor, row.ip_address) == (admin_user, "127.0.0.1")
    if read.names_patient:
        assert row.patient == walked.patient
    else:
        assert row.patient is None  # a list or an aggregate: ids and counts in the detail


def test_queue_row_lists_the_flags_and_patients_shown_in_order(client, reviewer):
    """One row per page of the queue, ids only: the flags in queue order and their patients."""
    later, urgent = FlagFactory(), FlagFactory(priority=3, kind="safety")
    client.force_login(reviewer)

    body = client.get(reverse("review:queue"), {"kind": "", "size": 25}).content.decode()

    row = Audit.objects.get(action=AuditAction.QUEUE_VIEW)
    assert row.detail["flags"] == [urgent.pk, later.pk]
    assert row.detail["patients"] == [urgent.patient_id, later.patient_id]
    assert row.detail["page"] == 1
    assert row.detail["filters"]["status"] == "unresolved"
    recorded = str(row.detail)
    for patient in (later.patient, urgent.patient):
        assert patient.mrn in body
        assert patient.mrn not in recorded
        assert patient.family_name not in recorded


def _refused_amendment(client, walked: Walked) -> Any:
    url = reverse("screening:visit_amend", args=[walked.visit.pk])
    return client.post(url, {"submission_id": str(uuid.uuid4())})


def _refused_new_visit(client, walked: Walked) -> Any:
    url = reverse("screening:visit_new", args=[walked.patient.pk])
    return client.post(url, {"submission_id": str(uuid.uuid4())})


def _refused_case_action(client, walked: Walked) -> Any:
    return client.post(reverse("review:flag_note", args=[walked.flag.pk]), {"note-note": ""})


def _likely_duplicate(client, walked: Walked) -> Any:
    patient = walked.patient
    return client.post(
        reverse("patients:new"),
        {
            "mrn": "MRN-TWIN-1",
            "given_name": patient.given_name,
            "family_name": patient.family_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "sex": patient.sex,
        },
    )


@pytest.mark.parametrize(
    ("post", "action", "names"),
    [
        (_refused_new_visit, AuditAction.PATIENT_VIEW, "patient"),
        (_refused_amendment, AuditAction.VISIT_VIEW, "visit"),
        (_refused_case_action, AuditAction.FLAG_VIEW, "flag"),
        (_likely_duplicate, AuditAction.PATIENT_VIEW, "patient"),
    ],
    ids=["new_visit_with_errors", "amendment_with_errors", "case_action_refused", "duplicate"],
)
def test_a_post_that_shows_patient_data_again_is_audited_as_a_read(
    client, admin_user, post, action, names
):
    flag = FlagFactory()
    walked = Walked(patient=flag.patient, visit=flag.visit, flag=flag)
    client.force_login(admin_user)

    response = post(client, walked)

    assert response.status_code == 200
    assert walked.patient.mrn in response.content.decode()
    row = Audit.objects.get(action=action)
    assert (row.actor, row.patient) == (admin_user, walked.patient)
    assert row.object_id == str(getattr(walked, names).pk)
    assert not Visit.objects.exclude(pk=walked.visit.pk).exists()
    assert Patient.objects.count() == 1


def test_audit_rows_in_the_admin_show_the_patient_by_id_only(rf, admin_user):
    """Django's admin writes no audit row, so it must show no patient's name or MRN."""
    from django.contrib import admin

    patient = FlagFactory().patient
    row = Audit.objects.create(
        actor=admin_user, username="ad_admin", action=AuditAction.PATIENT_VIEW, patient=patient
    )
    request = rf.get(f"/django-admin/audit/audit/{row.pk}/change/")
    request.user = User.objects.create_superuser("root_setup", "root@example.org", "x" * 20)

    response = admin.site._registry[Audit].change_view(request, str(row.pk))
    body = response.render().content.decode()

    assert f">{patient.pk}<" in body
    assert patient.mrn not in body
    assert patient.family_name not in body
