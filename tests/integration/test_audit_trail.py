"""The audit trail covers every kind of action, each row written in the transaction of what it
records: when the row cannot be written, nothing is changed."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from patients.models import Patient
from screening.models import Flag, Visit
from tests.conftest import TEST_PASSWORD
from tests.factories import ANSWERS, FlagFactory
from tests.integration.audit_urls import EXPORT, LOG

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
    client.post(reverse("screening:visit_amend", args=[visit.pk]), _visit_post(ANSWERS["negative"]))
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
            _visit_post(ANSWERS["back_pain"]),
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
