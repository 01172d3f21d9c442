"""audit.sentences.describe: each action's audit row read as a sentence, with the detail keys
record_audit is given for it, and no raw dict for keys it does not know."""

import pytest

from audit.models import AuditAction
from audit.sentences import describe

USER = ("auth.user", "56")
PATIENT = ("patients.patient", "12")
VISIT = ("screening.visit", "9")
FLAG = ("screening.flag", "4")
INSTRUMENT = ("screening.recordedinstrument", "7")
AUDIT = ("audit.audit", "300")
JOB = ("exports.exportjob", "4")
NONE = ("", "")
INVITATION = ("intake.invitation", "7")
SELF_ENTRY = ("intake.selfentry", "3")

EXPORT_DETAIL = {
    "format": "csv",
    "filters": {
        "date_from": "2026-11-01",
        "date_to": "2026-11-30",
        "clinician_id": None,
        "back_pain": None,
        "major_depression": None,
        "flag_kind": "",
        "flag_status": "",
        "current_only": True,
        "as_of": "2026-12-01T10:00:00+00:00",
    },
    "options": {"labels": False, "midus_names": False, "dates": "shifted"},
    "row_count": 208,
    "deidentified": False,
}

CASES = [
    (
        AuditAction.INVITATION_CREATE,
        INVITATION,
        {"mode": "tablet", "hours": 2},
        "Created invitation #7 for the clinic tablet, valid 2 hours",
    ),
    (
        AuditAction.INVITATION_OPEN,
        INVITATION,
        {"by": "code"},
        "Patient opened invitation #7 by its code",
    ),
    (
        AuditAction.INVITATION_DOB_FAILED,
        INVITATION,
        {"failures": 2},
        "Wrong date of birth for invitation #7 (2 wrong tries)",
    ),
    (
        AuditAction.INVITATION_FINISH,
        INVITATION,
        {"visit": 9, "safety": True},
        "Patient finished invitation #7, recorded as visit #9, thoughts of death endorsed",
    ),
    (
        AuditAction.INVITATION_WITHDRAW,
        INVITATION,
        {"reason": "clinician"},
        "Withdrew invitation #7",
    ),
    (
        AuditAction.INVITATION_WITHDRAW,
        INVITATION,
        {"reason": "date_of_birth", "failures": 5},
        "Invitation #7 withdrawn after wrong dates of birth",
    ),
    (AuditAction.SELF_ENTRY_VIEW, SELF_ENTRY, None, "Viewed self-entry #3"),
    (
        AuditAction.SELF_ENTRY_SIGN,
        SELF_ENTRY,
        {"visit": 9, "corrected": ["da_sad_2wk"], "amendment": 10},
        "Signed off self-entry #3 (visit #9), corrected da sad 2wk as amendment visit #10",
    ),
    (
        AuditAction.SIGN_OUT,
        USER,
        {"reason": "patient_mode"},
        "Signed out (a patient's self-entry page opened on this browser)",
    ),
    (AuditAction.SIGN_IN, USER, None, "Signed in"),
    (AuditAction.SIGN_OUT, USER, None, "Signed out"),
    (AuditAction.SIGN_OUT, USER, {"reason": "expired"}, "Signed out (session expired)"),
    (AuditAction.SIGN_IN_FAILED, NONE, {}, "Failed sign-in"),
    (
        AuditAction.SIGN_IN_FAILED,
        NONE,
        {"step": "two_factor", "throttled": True},
        "Failed sign-in at the two-factor step (too many attempts)",
    ),
    (AuditAction.LOCKOUT, NONE, {}, "Locked out after repeated failed sign-ins"),
    (AuditAction.IDLE_SIGN_OUT, USER, None, "Signed out after idle time"),
    (AuditAction.PATIENT_CREATE, PATIENT, None, "Registered patient #12"),
    (AuditAction.PATIENT_VIEW, PATIENT, None, "Viewed patient #12"),
    (
        AuditAction.PATIENT_VIEW,
        PATIENT,
        {"form": "registration_duplicate"},
        "Viewed patient #12 (shown as a possible duplicate when registering a patient)",
    ),
    (
        AuditAction.PATIENT_VIEW,
        PATIENT,
        {"form": "new_visit"},
        "Viewed patient #12 (opened the new-visit form)",
    ),
    (
        AuditAction.PATIENT_SEARCH,
        NONE,
        {"by": "mrn", "results": 3, "page": 1},
        "Searched patients by mrn: 3 results",
    ),
    (
        AuditAction.PATIENT_SEARCH,
        NONE,
        {"by": "name", "results": 1, "page": 2},
        "Searched patients by name: 1 result, page 2",
    ),
    (
        AuditAction.VISIT_RECORD,
        VISIT,
        {
            "criteria_version": "2",
            "back_pain": True,
            "major_depression": False,
            "flags": ["suicide_risk"],
        },
        "Recorded visit #9: back pain yes, major depression no, flags suicide risk, criteria 2",
    ),
    (
        AuditAction.VISIT_AMEND,
        VISIT,
        {
            "criteria_version": "2",
            "back_pain": False,
            "major_depression": False,
            "flags": [],
            "amends": 8,
            "flags_noted": [4],
        },
        "Amended visit #8 as visit #9: back pain no, major depression no, no flags, "
        "criteria 2, noted on case(s) 4",
    ),
    (AuditAction.VISIT_VIEW, VISIT, None, "Viewed visit #9"),
    (
        AuditAction.VISIT_VIEW,
        VISIT,
        {"form": "amendment"},
        "Viewed visit #9 (opened the amendment form)",
    ),
    (AuditAction.FLAG_VIEW, FLAG, {"flag": 4}, "Viewed case #4"),
    (
        AuditAction.QUEUE_VIEW,
        NONE,
        {"flags": [4, 5, 6], "patients": [12, 13], "filters": {}, "page": 1},
        "Viewed the review queue: 3 cases of 2 patients",
    ),
    (
        AuditAction.QUEUE_VIEW,
        NONE,
        {"flags": [], "patients": [], "filters": {"kind": "suicide_risk"}, "page": 2},
        "Viewed the review queue: 0 cases of 0 patients, page 2, filter: kind suicide risk",
    ),
    (
        AuditAction.RESCREEN_VIEW,
        NONE,
        {"patients": [12, 13], "visits": [40, 41], "page": 1},
        "Viewed the re-screen list: 2 patients",
    ),
    (
        AuditAction.RESCREEN_VIEW,
        NONE,
        {"patients": [], "visits": [], "page": 3},
        "Viewed the re-screen list: 0 patients, page 3",
    ),
    (AuditAction.FLAG_ACTION, FLAG, {"action": "claimed", "flag": 4}, "Case #4: claimed"),
    (
        AuditAction.FLAG_ACTION,
        FLAG,
        {"action": "resolved", "flag": 4, "outcome": "referred", "taken_from": 7},
        "Case #4: resolved, outcome referred, taken over from user #7",
    ),
    (
        AuditAction.EXPORT,
        NONE,
        EXPORT_DETAIL,
        "Exported 208 visits as CSV, codes, 2026-11-01 to 2026-11-30",
    ),
    (
        AuditAction.EXPORT,
        NONE,
        EXPORT_DETAIL
        | {
            "dataset": "instruments",
            "filters": EXPORT_DETAIL["filters"] | {"instrument": "phq9", "current_only": False},
        },
        "Exported 208 instruments as CSV, codes, 2026-11-01 to 2026-11-30, including amended "
        "instruments, instrument phq9",
    ),
    (
        AuditAction.EXPORT,
        NONE,
        EXPORT_DETAIL
        | {
            "deidentified": True,
            "options": {"labels": True, "midus_names": True, "dates": "year"},
            "filters": EXPORT_DETAIL["filters"] | {"clinician_id": 3, "current_only": False},
        },
        "Exported 208 visits as CSV, labels, MIDUS names, de-identified (dates year), "
        "2026-11-01 to 2026-11-30, including amended visits, clinician user #3",
    ),
    (
        AuditAction.EXPORT_QUEUED,
        JOB,
        EXPORT_DETAIL,
        "Queued an export of 208 visits as CSV, codes, 2026-11-01 to 2026-11-30 (export job #4)",
    ),
    (
        AuditAction.EXPORT_JOB_FINISHED,
        JOB,
        {"rows_written": 208, "row_count": 208, "format": "csv"},
        "Export job #4 finished: 208 of 208 visits written",
    ),
    (
        AuditAction.EXPORT_JOB_FAILED,
        JOB,
        {"rows_written": 1, "error": "OSError"},
        "Export job #4 failed (OSError): 1 visit written",
    ),
    (
        AuditAction.EXPORT_DOWNLOAD,
        JOB,
        {"rows_written": 208, "format": "xlsx"},
        "Export job #4 downloaded: 208 visits written",
    ),
    (
        AuditAction.EXPORT_EXPIRED,
        JOB,
        {"requested_by": 3, "format": "fhir"},
        "Export job #4 expired: its file was deleted",
    ),
    (
        AuditAction.EXPORT_COMPLETE,
        AUDIT,
        {"rows_written": 208, "row_count": 208},
        "Finished an export: 208 of 208 rows written (audit entry #300 started it)",
    ),
    (
        AuditAction.EXPORT_INCOMPLETE,
        AUDIT,
        {"rows_written": 10, "row_count": 208, "complete": False, "stopped": "disconnected"},
        "Export stopped early: the download was cancelled, 10 of 208 rows written "
        "(audit entry #300 started it)",
    ),
    (
        AuditAction.EXPORT_INCOMPLETE,
        AUDIT,
        {
            "rows_written": 0,
            "row_count": 5,
            "complete": False,
            "stopped": "error",
            "error": "OperationalError",
        },
        "Export stopped early: an error (OperationalError), 0 of 5 rows written "
        "(audit entry #300 started it)",
    ),
    (
        AuditAction.ANALYTICS_VIEW,
        NONE,
        {"date_from": "2026-01-01", "date_to": None, "clinician_id": 3, "cached": True},
        "Viewed analytics: from 2026-01-01, clinician user #3, from cache",
    ),
    (
        AuditAction.ANALYTICS_VIEW,
        NONE,
        {"date_from": None, "date_to": None, "clinician_id": None, "cached": False},
        "Viewed analytics",
    ),
    (
        AuditAction.IMPORT,
        NONE,
        {"rows": 20, "format": "csv", "patients_created": 1, "flags": 2},
        "Imported 20 rows from CSV: 1 patient registered, 2 flags raised",
    ),
    (
        AuditAction.IMPORT,
        NONE,
        {"dataset": "visits", "rows": 20, "format": "csv", "patients_created": 1, "flags": 2},
        "Imported 20 rows from CSV: 1 patient registered, 2 flags raised",
    ),
    (
        AuditAction.IMPORT,
        NONE,
        {"dataset": "instruments", "rows": 3, "format": "csv", "positive": 2, "safety_flags": 1},
        "Imported 3 instruments from CSV: 2 positive, 1 safety flag opened or joined",
    ),
    (AuditAction.AUDIT_VIEW, NONE, {"filter": {}, "page": 1}, "Viewed the audit log, no filter"),
    (
        AuditAction.AUDIT_VIEW,
        NONE,
        {"filter": {"patient_id": 12, "action": "patient_view"}, "page": 3},
        "Viewed the audit log, filter: patient #12, action patient view, page 3",
    ),
    (
        AuditAction.AUDIT_EXPORT,
        NONE,
        {"filter": {"username": "dr_a", "date_from": "2026-01-01"}, "rows": 1},
        "Exported 1 audit entry, filter: from 2026-01-01, user dr_a",
    ),
    (
        AuditAction.AUDIT_EXPORT,
        NONE,
        {"filter": {}, "rows": 30},
        "Exported 30 audit entries, no filter",
    ),
    (AuditAction.USER_CREATE, USER, {"role": "reviewer"}, "Created user #56 as reviewer"),
    (
        AuditAction.USER_CHANGE,
        USER,
        {"role": "reviewer", "previous_role": "clinician"},
        "Changed user #56: role reviewer (was clinician)",
    ),
    (AuditAction.USER_CHANGE, USER, {"active": True}, "Reactivated user #56"),
    (AuditAction.USER_CHANGE, USER, {"change": "own_password"}, "Changed own password (user #56)"),
    (
        AuditAction.USER_CHANGE,
        USER,
        {"two_factor": "enrolled"},
        "Set up two-factor sign-in for user #56",
    ),
    (
        AuditAction.USER_CHANGE,
        USER,
        {"two_factor": "removed"},
        "Removed two-factor sign-in for user #56",
    ),
    (AuditAction.USER_DEACTIVATE, USER, None, "Deactivated user #56"),
    (
        AuditAction.USER_PASSWORD_RESET,
        USER,
        {"unlocked": True},
        "Reset the password of user #56, and lifted the sign-in lockout",
    ),
    (AuditAction.USER_PASSWORD_RESET, USER, {"unlocked": False}, "Reset the password of user #56"),
    (
        AuditAction.USER_SEARCH,
        NONE,
        {"results": 3, "page": 1},
        "Searched users: 3 results",
    ),
    (
        AuditAction.INSTRUMENT_RECORD,
        INSTRUMENT,
        {"instrument": "phq9", "rules_version": "2026.1", "positive": True, "flag": 4},
        "Recorded instrument #7: PHQ-9, positive, against case #4",
    ),
    (
        AuditAction.INSTRUMENT_RECORD,
        INSTRUMENT,
        {"instrument": "phq9", "positive": False, "flag": None, "safety_flag": 9},
        "Recorded instrument #7: PHQ-9, negative, raised or joined safety case #9",
    ),
    (
        AuditAction.INSTRUMENT_AMEND,
        INSTRUMENT,
        {"instrument": "asq", "positive": True, "flag": 4, "amends": 6},
        "Amended instrument #6 as instrument #7: ASQ, positive, against case #4",
    ),
    (
        AuditAction.VISIT_VIEW,
        INSTRUMENT,
        {"form": "instrument_amendment"},
        "Viewed instrument #7 (opened an instrument's amendment form)",
    ),
    (AuditAction.INVITATION_OPEN, ("intake.invitation", "3"), None, "Patient opened invitation #3"),
    (
        AuditAction.INVITATION_FINISH,
        ("intake.invitation", "3"),
        None,
        "Patient finished invitation #3",
    ),
    (AuditAction.INVITATION_WITHDRAW, ("intake.invitation", "3"), None, "Withdrew invitation #3"),
    (AuditAction.SELF_ENTRY_VIEW, ("intake.selfentry", "8"), None, "Viewed self-entry #8"),
    (AuditAction.SELF_ENTRY_SIGN, ("intake.selfentry", "8"), None, "Signed off self-entry #8"),
    (AuditAction.API_CLIENT_REVOKE, ("interop.apiclient", "2"), None, "Revoked API client #2"),
    (
        AuditAction.API_CALL,
        PATIENT,
        {
            "client_id": 3,
            "client": "Epic",
            "method": "GET",
            "resource": "Patient",
            "interaction": "read",
            "status": 200,
        },
        "API client Epic read patient #12 (GET, 200)",
    ),
    (
        AuditAction.API_CALL,
        NONE,
        {
            "client_id": 3,
            "client": "Epic",
            "method": "GET",
            "resource": "Observation",
            "interaction": "search-type",
            "status": 200,
            "matches": 4,
            "returned": 4,
        },
        "API client Epic searched Observation (GET, 200); matches 4, returned 4",
    ),
    (
        AuditAction.API_CLIENT_CREATE,
        ("interop.apiclient", "3"),
        {"client_id": 3, "name": "Epic", "scope": "write", "via": "command"},
        "Created API client #3 (Epic, write) with the command",
    ),
    (
        AuditAction.API_CLIENT_REVOKE,
        ("interop.apiclient", "3"),
        {"client_id": 3, "name": "Epic"},
        "Revoked API client #3 (Epic)",
    ),
]


@pytest.mark.parametrize(("action", "obj", "detail", "expected"), CASES)
def test_each_action_reads_as_a_sentence(action, obj, detail, expected):
    assert describe(action, *obj, detail) == expected


def test_every_action_has_a_case_above():
    assert {case[0] for case in CASES} == set(AuditAction.values)


def test_unknown_keys_are_added_as_phrases_never_as_a_dict():
    text = describe(
        AuditAction.USER_CHANGE,
        *USER,
        {"role": "admin", "previous_role": "reviewer", "extra": {"a": 1}, "ids": [1, 2]},
    )
    assert text == "Changed user #56: role admin (was reviewer); extra a 1, ids 1, 2"
    assert "{" not in text
    assert "[" not in text


def test_an_unknown_action_and_model_read_as_their_code_and_id():
    text = describe("some_new_thing", "inventory.box_item", "7", {"count": 2, "ok": False})
    assert text == "Some new thing: box item #7; count 2, ok no"


def test_a_detail_that_is_not_a_dict_is_ignored():
    assert describe(AuditAction.PATIENT_VIEW, *PATIENT, ["odd"]) == "Viewed patient #12"
