"""The audit page: filters (MRN kept out of URLs), pages of 50 with counts, the audited CSV,
and the "accessed by" rows of a patient."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from audit.selectors import patient_access
from audit.services import Actor, record_audit
from tests.factories import PatientFactory
from tests.integration.audit_urls import EXPORT, LOG

pytestmark = pytest.mark.django_db


def _rows(actor, action, count=1, patient=None, username=None, at=None):
    with mock.patch("django.utils.timezone.now", return_value=at or timezone.now()):
        for _ in range(count):
            record_audit(
                actor=Actor(actor, "10.0.0.7"), action=action, patient=patient, username=username
            )


def _table_rows(response) -> list[str]:
    body = response.content.decode()
    table = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in body else ""
    return table.split("<tr>")[1:]


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte-order mark, for Excel
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_log_shows_who_did_what_from_where_when_an_admin_opens_it(client, admin_user, clinician):
    patient = PatientFactory()
    _rows(clinician, AuditAction.PATIENT_VIEW, patient=patient)
    client.force_login(admin_user)
    response = client.get(LOG)
    assert response.status_code == 200
    body = response.content.decode()
    assert "dr_clinician" in body
    assert "Viewed a patient" in body
    assert "10.0.0.7" in body
    assert patient.mrn in body  # shown on the page to an admin, never in a URL
    assert reverse("patients:detail", args=[patient.pk]) in body


def test_opening_the_log_is_itself_audited_when_an_admin_views_a_page(client, admin_user):
    client.force_login(admin_user)
    client.get(LOG)
    row = Audit.objects.get(action=AuditAction.AUDIT_VIEW)
    assert (row.actor, row.detail) == (admin_user, {"filter": {}, "page": 1})


def test_paging_under_one_filter_is_audited_once_and_a_new_filter_again(client, admin_user):
    _rows(admin_user, AuditAction.PATIENT_VIEW, count=120)
    client.force_login(admin_user)
    for page in ("1", "2", "3", "1"):
        assert client.get(LOG, {"page": page}).status_code == 200
    assert Audit.objects.filter(action=AuditAction.AUDIT_VIEW).count() == 1

    client.post(LOG, {"action": AuditAction.PATIENT_VIEW})
    client.get(LOG)
    client.get(LOG, {"page": "2"})
    views = Audit.objects.filter(action=AuditAction.AUDIT_VIEW).order_by("id")
    assert [row.detail["filter"] for row in views] == [{}, {"action": "patient_view"}]


def test_log_is_forbidden_when_a_reviewer_asks_for_it_or_its_csv(client, reviewer):
    client.force_login(reviewer)
    assert client.get(LOG).status_code == 403
    assert client.post(EXPORT).status_code == 403
    assert not Audit.objects.filter(action=AuditAction.AUDIT_EXPORT).exists()


def test_filter_by_mrn_shows_only_that_patient_when_posted(client, admin_user, clinician):
    wanted, other = PatientFactory(), PatientFactory()
    _rows(clinician, AuditAction.PATIENT_VIEW, patient=wanted, count=2)
    _rows(clinician, AuditAction.VISIT_VIEW, patient=other, count=3)
    client.force_login(admin_user)
    response = client.post(LOG, {"mrn": wanted.mrn, "apply": "1"})
    assert response.status_code == 302
    assert response["Location"] == LOG  # the MRN is not in the redirect
    page = client.get(LOG)
    assert len(_table_rows(page)) == 2
    assert other.mrn not in page.content.decode()
    # the filter keeps the MRN in the form for the officer, but the session holds only the id
    assert f'value="{wanted.mrn}"' in page.content.decode()
    assert client.session["audit_filter"] == {"patient_id": wanted.pk}
    assert Audit.objects.filter(action=AuditAction.AUDIT_VIEW).last().detail["filter"] == {
        "patient_id": wanted.pk
    }


def test_no_link_or_redirect_carries_the_mrn_when_the_log_is_filtered(
    client, admin_user, clinician
):
    patient = PatientFactory()
    _rows(clinician, AuditAction.PATIENT_VIEW, patient=patient, count=60)
    client.force_login(admin_user)
    client.post(LOG, {"mrn": patient.mrn})
    body = client.get(LOG).content.decode()
    hrefs = [chunk.split('"', 1)[0] for chunk in body.split('href="')[1:]]
    assert any("page=2" in href for href in hrefs)
    assert not [href for href in hrefs if patient.mrn in href]


def test_filter_by_user_action_and_dates_narrows_the_rows(client, admin_user, clinician, reviewer):
    day = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    _rows(clinician, AuditAction.PATIENT_VIEW, count=2, at=day)
    _rows(clinician, AuditAction.PATIENT_VIEW, count=1, at=day - dt.timedelta(days=5))
    _rows(clinician, AuditAction.VISIT_RECORD, count=4, at=day)
    _rows(reviewer, AuditAction.PATIENT_VIEW, count=8, at=day)
    client.force_login(admin_user)
    client.post(
        LOG,
        {
            "username": "dr_clinician",
            "action": AuditAction.PATIENT_VIEW,
            "date_from": "2026-03-09",
            "date_to": "2026-03-10",
        },
    )
    page = client.get(LOG)
    assert len(_table_rows(page)) == 2
    assert "of 2 entries matching the filter" in page.content.decode()


def test_failed_sign_ins_of_a_user_match_the_user_filter(client, admin_user, clinician):
    client.post("/accounts/login/", {"username": "dr_clinician", "password": "wrong-password"})
    client.force_login(admin_user)
    client.post(LOG, {"username": "dr_clinician", "action": AuditAction.SIGN_IN_FAILED})
    assert len(_table_rows(client.get(LOG))) == 1


def test_unknown_mrn_is_named_in_the_error_when_the_filter_is_posted(client, admin_user):
    client.force_login(admin_user)
    response = client.post(LOG, {"mrn": "NO-SUCH-MRN", "apply": "1"})
    assert response.status_code == 200
    assert "No patient has this MRN." in response.content.decode()
    assert "audit_filter" not in client.session


def test_end_date_before_start_is_refused_when_the_filter_is_posted(client, admin_user):
    client.force_login(admin_user)
    response = client.post(LOG, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert "The end date is before the start date." in response.content.decode()
    assert "Correct the filter above to see the audit log." in response.content.decode()
    assert _table_rows(response) == []  # no unfiltered list under the error


def test_a_refused_filter_shows_no_entries_of_the_previous_one(client, admin_user, clinician):
    _rows(clinician, AuditAction.PATIENT_VIEW, count=3)
    client.force_login(admin_user)
    client.post(LOG, {"action": AuditAction.PATIENT_VIEW})
    views = Audit.objects.filter(action=AuditAction.AUDIT_VIEW).count()

    response = client.post(LOG, {"mrn": "NO-SUCH-MRN", "apply": "1"})

    assert "No patient has this MRN." in response.content.decode()
    assert _table_rows(response) == []
    assert "Showing" not in response.content.decode()
    assert Audit.objects.filter(action=AuditAction.AUDIT_VIEW).count() == views  # nothing read


def test_clear_removes_the_filter(client, admin_user, clinician):
    _rows(clinician, AuditAction.PATIENT_VIEW, count=3)
    client.force_login(admin_user)
    client.post(LOG, {"action": AuditAction.EXPORT})
    assert _table_rows(client.get(LOG)) == []
    client.post(LOG, {"clear": "1"})
    assert "audit_filter" not in client.session
    assert len(_table_rows(client.get(LOG))) >= 3


def test_empty_filter_result_says_so(client, admin_user):
    client.force_login(admin_user)
    client.post(LOG, {"action": AuditAction.IMPORT})
    assert "No entries match this filter." in client.get(LOG).content.decode()


def test_pages_hold_50_rows_with_counts_when_there_are_more(client, admin_user, clinician):
    _rows(clinician, AuditAction.PATIENT_SEARCH, count=120)
    client.force_login(admin_user)
    client.post(LOG, {"action": AuditAction.PATIENT_SEARCH})
    first = client.get(LOG)
    assert len(_table_rows(first)) == 50
    assert "Showing 1\N{EN DASH}50 of 120 entries" in first.content.decode()
    assert "Page 1 of 3" in first.content.decode()
    last = client.get(LOG, {"page": 3})
    assert len(_table_rows(last)) == 20
    assert "Showing 101\N{EN DASH}120 of 120 entries" in last.content.decode()
    assert client.get(LOG, {"page": "not-a-number"}).status_code == 200


def test_query_count_does_not_grow_with_the_rows_on_a_page(client, admin_user, clinician):
    patients = PatientFactory.create_batch(3)
    client.force_login(admin_user)
    client.get(LOG)  # the first request also loads the session and the user's permissions
    counts = []
    for rows in (3, 50):
        for index in range(rows):
            _rows(clinician, AuditAction.PATIENT_VIEW, patient=patients[index % 3])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LOG).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_csv_has_the_filtered_rows_and_the_download_is_audited(client, admin_user, clinician):
    patient = PatientFactory()
    _rows(clinician, AuditAction.PATIENT_VIEW, patient=patient, count=3)
    _rows(clinician, AuditAction.SIGN_IN, count=2)
    client.force_login(admin_user)
    client.post(LOG, {"mrn": patient.mrn})
    response = client.post(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    lines = _csv(response)
    assert lines[0][:4] == ["at", "username", "action", "action_label"]
    assert [line[2] for line in lines[1:]] == ["patient_view"] * 3
    assert {line[6] for line in lines[1:]} == {str(patient.pk)}
    assert patient.mrn not in "".join(",".join(line) for line in lines)
    exported = Audit.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert exported.actor == admin_user
    assert exported.detail == {"filter": {"patient_id": patient.pk}, "rows": 3}


def test_csv_cells_cannot_run_as_formulas_when_a_username_is_hostile(client, admin_user):
    # what a failed sign-in records: the username exactly as typed
    for typed in ('=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1"):
        _rows(None, AuditAction.SIGN_IN_FAILED, username=typed)
    client.force_login(admin_user)
    client.post(LOG, {"action": AuditAction.SIGN_IN_FAILED})
    usernames = {line[1] for line in _csv(client.post(EXPORT))[1:]}
    assert usernames == {'\'=HYPERLINK("http://x")', "'+1+1", "'@SUM(A1)", "'-2+3", "'\t=1+1"}


def test_csv_download_needs_post(client, admin_user):
    client.force_login(admin_user)
    assert client.get(EXPORT).status_code == 405
    assert not Audit.objects.filter(action=AuditAction.AUDIT_EXPORT).exists()


def test_patient_access_lists_the_latest_rows_of_that_patient_only(clinician, reviewer):
    patient, other = PatientFactory(), PatientFactory()
    _rows(clinician, AuditAction.PATIENT_VIEW, patient=patient, count=25)
    _rows(reviewer, AuditAction.FLAG_VIEW, patient=patient)
    _rows(reviewer, AuditAction.PATIENT_VIEW, patient=other)
    rows = patient_access(patient.pk)
    assert len(rows) == 20
    assert (rows[0].username, rows[0].action) == ("rev_reviewer", AuditAction.FLAG_VIEW)
    assert {row.patient_id for row in rows} == {patient.pk}
    assert len(patient_access(patient.pk, limit=5)) == 5


def test_accessed_by_panel_posts_the_patient_id_to_the_log(client, admin_user, clinician):
    patient = PatientFactory()
    _rows(clinician, AuditAction.VISIT_VIEW, patient=patient, count=2)
    _rows(clinician, AuditAction.VISIT_VIEW, count=2)
    client.force_login(admin_user)
    response = client.post(LOG, {"patient": patient.pk, "apply": "1"})
    assert response["Location"] == LOG
    assert len(_table_rows(client.get(LOG))) == 2


def test_patient_page_shows_admins_who_accessed_the_patient(client, admin_user, clinician):
    patient = PatientFactory()
    client.force_login(clinician)
    assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    assert (
        "Accessed by"
        not in client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    )
    client.force_login(admin_user)
    body = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    panel = body.split('id="accessed-by-heading"', 1)[1]
    assert "dr_clinician" in panel
    assert "Viewed a patient" in panel
    assert f'name="patient" value="{patient.pk}"' in panel


def test_rows_read_as_sentences_not_dicts_or_model_labels(client, admin_user, clinician):
    from accounts.services import change_role

    change_role(user=clinician, role="reviewer", actor=Actor(admin_user, "10.0.0.7"))
    patient = PatientFactory()
    record_audit(
        actor=Actor(clinician, "10.0.0.7"),
        action=AuditAction.PATIENT_VIEW,
        obj=patient,
        patient=patient,
        detail={"form": "new_visit"},
    )
    client.force_login(admin_user)
    response = client.get(LOG)
    rows = "".join(_table_rows(response))
    assert f"Changed user #{clinician.pk}: role reviewer (was clinician)" in rows
    assert f"Viewed patient #{patient.pk} (opened the new-visit form)" in rows
    assert "{" not in rows
    assert "auth.user" not in rows
    assert "previous_role" not in rows


def test_csv_rows_end_with_the_sentence(client, admin_user, clinician):
    patient = PatientFactory()
    record_audit(actor=Actor(clinician, "10.0.0.7"), action=AuditAction.PATIENT_VIEW, obj=patient)
    client.force_login(admin_user)
    client.post(LOG, {"action": AuditAction.PATIENT_VIEW})
    lines = _csv(client.post(EXPORT))
    assert lines[0][-2:] == ["detail", "description"]
    assert [line[-1] for line in lines[1:]] == [f"Viewed patient #{patient.pk}"]
