"""An audit row read as a sentence: "Viewed patient #12", "Changed user #56: role reviewer
(was clinician)". Pure: it reads only the row's own fields, so it names objects by id and never
looks up (or shows) a patient's identifiers. Keys it does not know are still shown, as
"key value" phrases, never as a raw dict."""

from collections.abc import Callable
from typing import Any

from audit.models import AuditAction

OBJECT_NAMES = {
    "auth.user": "user",
    "patients.patient": "patient",
    "screening.visit": "visit",
    "screening.flag": "case",
    "review.flag": "case",
    "audit.audit": "audit entry",
    "screening.recordedinstrument": "instrument",
    "intake.invitation": "invitation",
    "intake.selfentry": "self-entry",
    "interop.apiclient": "API client",
    "exports.exportjob": "export job",
}

FORMS = {
    "registration_duplicate": "shown as a possible duplicate when registering a patient",
    "new_visit": "opened the new-visit form",
    "amendment": "opened the amendment form",
    "new_instrument": "opened an instrument form",
    "instrument_amendment": "opened an instrument's amendment form",
    "self_entry": "opened the self-entry page",
}
INSTRUMENT_NAMES = {"asq": "ASQ", "phq9": "PHQ-9", "lbp_peg": "chronic low back pain and PEG"}

SIGN_OUT_REASONS = {
    "expired": "session expired",
    "two_factor": "two-factor step not completed",
    "patient_mode": "a patient's self-entry page opened on this browser",
}

FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "fhir": "FHIR"}


def object_name(object_type: str, object_id: str) -> str:
    """ "patient #12" for ("patients.patient", "12"); "" when the row names no object."""
    if not object_type:
        return ""
    name = OBJECT_NAMES.get(object_type, object_type.rsplit(".", 1)[-1].replace("_", " "))
    return f"{name} #{object_id}" if object_id else name


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return _phrases(value) or "none"
    return str(value).replace("_", " ")


def _phrases(detail: dict[str, Any]) -> str:
    """The generic reading: "key value" for each key with a value, joined by commas."""
    return ", ".join(
        f"{str(key).replace('_', ' ')} {_value(value)}"
        for key, value in detail.items()
        if value not in (None, "", {})
    )


def _count(number: Any, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _dates(data: dict[str, Any]) -> str:
    start, end = data.pop("date_from", None), data.pop("date_to", None)
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"up to {end}"
    return ""


def _filter(value: Any) -> str:
    data = dict(value) if isinstance(value, dict) else {}
    if not data:
        return "no filter"
    parts = [_dates(data)]
    if data.get("username"):
        parts.append(f"user {data.pop('username')}")  # as typed: a staff name, kept exact
    if data.get("patient_id") is not None:
        parts.append(f"patient #{data.pop('patient_id')}")
    if data.get("action"):
        parts.append(f"action {_value(data.pop('action'))}")
    parts.append(_phrases(data))
    return "filter: " + ", ".join(part for part in parts if part)


# Each reader takes the row's object name and a copy of its detail, pops the keys it puts in
# words and returns the sentence's start; the keys left over are added generically.
Reader = Callable[[str, dict[str, Any]], str]


def _sign_out(obj: str, detail: dict[str, Any]) -> str:
    reason = detail.pop("reason", None)
    return (
        f"Signed out ({SIGN_OUT_REASONS.get(reason, _value(reason))})" if reason else "Signed out"
    )


def _sign_in_failed(obj: str, detail: dict[str, Any]) -> str:
    text = "Failed sign-in"
    if detail.pop("step", None) == "two_factor":
        text += " at the two-factor step"
    if detail.pop("throttled", False):
        text += " (too many attempts)"
    return text


def _viewed(obj: str, detail: dict[str, Any]) -> str:
    form = detail.pop("form", None)
    detail.pop("flag", None)  # the case's own id, already in the object
    text = f"Viewed {obj}" if obj else "Viewed a record"
    return f"{text} ({FORMS.get(form, _value(form))})" if form else text


def _searched(noun: str) -> Reader:
    def read(obj: str, detail: dict[str, Any]) -> str:
        text = f"Searched {noun}"
        if detail.get("by"):
            text += f" by {_value(detail.pop('by'))}"
        if "results" in detail:
            text += f": {_count(detail.pop('results'), 'result')}"
        if detail.get("page", 1) != 1:
            text += f", page {detail.pop('page')}"
        detail.pop("page", None)
        return text

    return read


def _visit_result(detail: dict[str, Any]) -> str:
    parts = []
    for key, name in (("back_pain", "back pain"), ("major_depression", "major depression")):
        if key in detail:
            parts.append(f"{name} {_value(detail.pop(key))}")
    if "flags" in detail:
        flags = detail.pop("flags")
        parts.append(f"flags {_value(flags)}" if flags else "no flags")
    if detail.get("criteria_version"):
        parts.append(f"criteria {detail.pop('criteria_version')}")
    return ", ".join(parts)


def _visit_record(obj: str, detail: dict[str, Any]) -> str:
    result = _visit_result(detail)
    return f"Recorded {obj or 'a visit'}" + (f": {result}" if result else "")


def _visit_amend(obj: str, detail: dict[str, Any]) -> str:
    text = f"Amended visit #{detail.pop('amends')}" if "amends" in detail else "Amended a visit"
    if obj:
        text += f" as {obj}"
    result = _visit_result(detail)
    noted = detail.pop("flags_noted", None)
    if noted:
        result += (", " if result else "") + f"noted on case(s) {_value(noted)}"
    return text + (f": {result}" if result else "")


def _instrument_result(detail: dict[str, Any]) -> str:
    """'PHQ-9, positive, against case #4, raised safety case #9': codes and ids only."""
    parts = []
    code = detail.pop("instrument", None)
    if code:
        parts.append(INSTRUMENT_NAMES.get(code, _value(code)))
    if "positive" in detail:
        parts.append("positive" if detail.pop("positive") else "negative")
    flag = detail.pop("flag", None)
    if flag:
        parts.append(f"against case #{flag}")
    safety = detail.pop("safety_flag", None)
    if safety:
        parts.append(f"raised or joined safety case #{safety}")
    detail.pop("rules_version", None)
    return ", ".join(parts)


def _instrument_record(obj: str, detail: dict[str, Any]) -> str:
    result = _instrument_result(detail)
    return f"Recorded {obj or 'an instrument'}" + (f": {result}" if result else "")


def _instrument_amend(obj: str, detail: dict[str, Any]) -> str:
    amends = detail.pop("amends", None)
    text = f"Amended instrument #{amends}" if amends else "Amended an instrument"
    if obj:
        text += f" as {obj}"
    result = _instrument_result(detail)
    return text + (f": {result}" if result else "")


def _rescreen_view(obj: str, detail: dict[str, Any]) -> str:
    text = "Viewed the re-screen list"
    patients = detail.pop("patients", None)
    detail.pop("visits", None)  # one per patient listed: the count says it
    if patients is not None:
        text += f": {_count(len(patients), 'patient')}"
    if detail.get("page", 1) != 1:
        text += f", page {detail.pop('page')}"
    detail.pop("page", None)
    return text


def _queue_view(obj: str, detail: dict[str, Any]) -> str:
    text = "Viewed the review queue"
    flags, patients = detail.pop("flags", None), detail.pop("patients", None)
    if flags is not None:
        text += f": {_count(len(flags), 'case')}"
        if patients is not None:
            text += f" of {_count(len(patients), 'patient')}"
    if detail.get("page", 1) != 1:
        text += f", page {detail.pop('page')}"
    detail.pop("page", None)
    if detail.get("filters"):
        text += f", {_filter(detail.pop('filters'))}"
    detail.pop("filters", None)
    return text


def _flag_action(obj: str, detail: dict[str, Any]) -> str:
    step = _value(detail.pop("action", "acted"))
    detail.pop("flag", None)
    text = f"{obj.capitalize() if obj else 'Case'}: {step}"
    if detail.get("outcome"):
        text += f", outcome {_value(detail.pop('outcome'))}"
    if detail.get("taken_from") is not None:
        text += f", taken over from user #{detail.pop('taken_from')}"
    return text


def _rows_noun(detail: dict[str, Any]) -> str:
    """What an export's or import's rows are: visits (also when older rows do not say) or
    recorded instruments."""
    return "instrument" if detail.pop("dataset", "visits") == "instruments" else "visit"


def _export(obj: str, detail: dict[str, Any]) -> str:
    count = detail.pop("row_count", None)
    noun = _rows_noun(detail)
    text = "Exported " + (_count(count, noun) if count is not None else f"{noun}s")
    if detail.get("format"):
        fmt = detail.pop("format")
        text += f" as {FORMAT_NAMES.get(fmt, _value(fmt))}"
    options = dict(detail.pop("options", None) or {})
    parts = []
    if "labels" in options:
        parts.append("labels" if options.pop("labels") else "codes")
    if options.pop("midus_names", False):
        parts.append("MIDUS names")
    if detail.pop("deidentified", False):
        dates = options.pop("dates", None)
        parts.append("de-identified" + (f" (dates {_value(dates)})" if dates else ""))
    else:
        options.pop("dates", None)  # only applies to a de-identified export
    filters = dict(detail.pop("filters", None) or {})
    filters.pop("as_of", None)
    parts.append(_dates(filters))
    if filters.pop("current_only", True) is False:
        parts.append(f"including amended {noun}s")
    if filters.get("clinician_id") is not None:
        parts.append(f"clinician user #{filters.pop('clinician_id')}")
    parts.append(_phrases(filters))
    parts.append(_phrases(options))
    words = ", ".join(part for part in parts if part)
    return text + (f", {words}" if words else "")


def _export_end(finished: bool) -> Reader:
    def read(obj: str, detail: dict[str, Any]) -> str:
        start = f" ({obj} started it)" if obj else ""
        written, total = detail.pop("rows_written", None), detail.pop("row_count", None)
        detail.pop("complete", None)
        if finished:
            text = "Finished an export"
        else:
            stopped = detail.pop("stopped", None)
            error = detail.pop("error", None)
            how = {"disconnected": "the download was cancelled"}.get(stopped, "an error")
            text = f"Export stopped early: {how}" + (f" ({error})" if error else "")
        if written is not None:
            text += f"{',' if not finished else ':'} {written} of {_count(total, 'row')} written"
        return text + start

    return read


def _export_queued(obj: str, detail: dict[str, Any]) -> str:
    text = _export(obj, detail).replace("Exported", "Queued an export of", 1)
    return f"{text} ({obj})" if obj else text


def _export_job(verb: str) -> Reader:
    """ "Export job #4 finished: 3 of 3 visits written"; a failure names the kind of error."""

    def read(obj: str, detail: dict[str, Any]) -> str:
        text = f"{(obj or 'export job').capitalize()} {verb}"
        error = detail.pop("error", None)
        if error:
            text += f" ({error})"
        written, total = detail.pop("rows_written", None), detail.pop("row_count", None)
        detail.pop("requested_by", None)
        detail.pop("format", None)
        if written is not None:
            text += f": {written} {'of ' + str(total) + ' ' if total is not None else ''}"
            text += f"visit{'' if written == 1 and total is None else 's'} written"
        return text

    return read


def _analytics(obj: str, detail: dict[str, Any]) -> str:
    parts = [_dates(detail)]
    if detail.get("clinician_id") is not None:
        parts.append(f"clinician user #{detail.pop('clinician_id')}")
    detail.pop("clinician_id", None)
    if detail.pop("cached", False):
        parts.append("from cache")
    words = ", ".join(part for part in parts if part)
    return "Viewed analytics" + (f": {words}" if words else "")


def _import(obj: str, detail: dict[str, Any]) -> str:
    rows = detail.pop("rows", None)
    noun = "instrument" if _rows_noun(detail) == "instrument" else "row"
    text = "Imported " + (_count(rows, noun) if rows is not None else f"{noun}s")
    if detail.get("format"):
        fmt = detail.pop("format")
        text += f" from {FORMAT_NAMES.get(fmt, _value(fmt))}"
    parts = []
    if "patients_created" in detail:
        parts.append(f"{_count(detail.pop('patients_created'), 'patient')} registered")
    if "flags" in detail:
        parts.append(f"{_count(detail.pop('flags'), 'flag')} raised")
    if "positive" in detail:
        parts.append(f"{detail.pop('positive')} positive")
    if "safety_flags" in detail:
        parts.append(f"{_count(detail.pop('safety_flags'), 'safety flag')} opened or joined")
    return text + (f": {', '.join(parts)}" if parts else "")


def _audit_view(obj: str, detail: dict[str, Any]) -> str:
    text = "Viewed the audit log"
    if "filter" in detail:
        text += f", {_filter(detail.pop('filter'))}"
    if detail.get("page", 1) != 1:
        text += f", page {detail.pop('page')}"
    detail.pop("page", None)
    return text


def _audit_export(obj: str, detail: dict[str, Any]) -> str:
    rows = detail.pop("rows", None)
    text = "Exported " + (
        _count(rows, "audit entry", "audit entries") if rows is not None else "the audit log"
    )
    if "filter" in detail:
        text += f", {_filter(detail.pop('filter'))}"
    return text


def _user_create(obj: str, detail: dict[str, Any]) -> str:
    role = detail.pop("role", None)
    return f"Created {obj or 'a user'}" + (f" as {_value(role)}" if role else "")


def _user_change(obj: str, detail: dict[str, Any]) -> str:
    who = obj or "a user"
    if detail.get("change") == "own_password":
        detail.pop("change")
        return f"Changed own password ({who})"
    if detail.get("active") is True and len(detail) == 1:
        detail.pop("active")
        return f"Reactivated {who}"
    if detail.get("two_factor") in ("enrolled", "removed"):
        state = detail.pop("two_factor")
        return f"{'Set up' if state == 'enrolled' else 'Removed'} two-factor sign-in for {who}"
    if "role" in detail:
        role, previous = detail.pop("role"), detail.pop("previous_role", None)
        return f"Changed {who}: role {_value(role)}" + (
            f" (was {_value(previous)})" if previous else ""
        )
    return f"Changed {who}"


def _password_reset(obj: str, detail: dict[str, Any]) -> str:
    text = f"Reset the password of {obj or 'a user'}"
    if detail.pop("unlocked", False):
        text += ", and lifted the sign-in lockout"
    else:
        detail.pop("unlocked", None)
    return text


_API_INTERACTIONS = {"read": "read", "search-type": "searched", "create": "created"}


def _api_call(obj: str, detail: dict[str, Any]) -> str:
    """ "API client Epic read patient #12 (GET, 200)"."""
    client = detail.pop("client", "?")
    detail.pop("client_id", None)
    interaction = str(detail.pop("interaction", ""))
    resource = detail.pop("resource", "")
    method, status = detail.pop("method", ""), detail.pop("status", "")
    verb = _API_INTERACTIONS.get(interaction, interaction.replace("-", " "))
    return f"API client {client} {verb} {obj or resource or 'the API'} ({method}, {status})"


def _api_client(verb: str) -> Reader:
    def read(obj: str, detail: dict[str, Any]) -> str:
        detail.pop("client_id", None)
        name, scope = detail.pop("name", ""), detail.pop("scope", "")
        via = " with the command" if detail.pop("via", "") == "command" else ""
        about = ", ".join(str(part) for part in (name, scope) if part)
        return f"{verb} {obj or 'an API client'}" + (f" ({about})" if about else "") + via

    return read


def _plain(verb: str) -> Reader:
    """ "Registered patient #12": the verb and the object, for actions without details."""

    def read(obj: str, detail: dict[str, Any]) -> str:
        return f"{verb} {obj}" if obj else verb

    return read


def _label(text: str) -> Reader:
    def read(obj: str, detail: dict[str, Any]) -> str:
        return text

    return read


def _invitation_create(obj: str, detail: dict[str, Any]) -> str:
    mode = {"tablet": "for the clinic tablet", "link": "as a link"}.get(detail.pop("mode", ""), "")
    text = f"Created {obj or 'an invitation'}" + (f" {mode}" if mode else "")
    if "hours" in detail:
        text += f", valid {_count(detail.pop('hours'), 'hour')}"
    return text


def _invitation_open(obj: str, detail: dict[str, Any]) -> str:
    by = detail.pop("by", None)
    return f"Patient opened {obj or 'an invitation'}" + (f" by its {by}" if by else "")


def _invitation_dob_failed(obj: str, detail: dict[str, Any]) -> str:
    text = f"Wrong date of birth for {obj or 'an invitation'}"
    if "failures" in detail:
        text += f" ({_count(detail.pop('failures'), 'wrong try', 'wrong tries')})"
    return text


def _invitation_finish(obj: str, detail: dict[str, Any]) -> str:
    text = f"Patient finished {obj or 'an invitation'}"
    if "visit" in detail:
        text += f", recorded as visit #{detail.pop('visit')}"
    if detail.pop("safety", False):
        text += ", thoughts of death endorsed"
    return text


def _invitation_withdraw(obj: str, detail: dict[str, Any]) -> str:
    detail.pop("failures", None)
    if detail.pop("reason", None) == "date_of_birth":
        return f"{obj.capitalize() if obj else 'Invitation'} withdrawn after wrong dates of birth"
    return f"Withdrew {obj or 'an invitation'}"


def _self_entry_sign(obj: str, detail: dict[str, Any]) -> str:
    text = f"Signed off {obj or 'a self-entry'}"
    if detail.get("visit") is not None:
        text += f" (visit #{detail.pop('visit')})"
    detail.pop("visit", None)
    corrected = detail.pop("corrected", None)
    amendment = detail.pop("amendment", None)
    if corrected:
        text += f", corrected {_value(corrected)}"
    if amendment is not None:
        text += f" as amendment visit #{amendment}"
    return text


READERS: dict[str, Reader] = {
    AuditAction.SIGN_IN: _label("Signed in"),
    AuditAction.SIGN_OUT: _sign_out,
    AuditAction.SIGN_IN_FAILED: _sign_in_failed,
    AuditAction.LOCKOUT: _label("Locked out after repeated failed sign-ins"),
    AuditAction.IDLE_SIGN_OUT: _label("Signed out after idle time"),
    AuditAction.PATIENT_CREATE: _plain("Registered"),
    AuditAction.PATIENT_VIEW: _viewed,
    AuditAction.PATIENT_SEARCH: _searched("patients"),
    AuditAction.VISIT_RECORD: _visit_record,
    AuditAction.VISIT_AMEND: _visit_amend,
    AuditAction.VISIT_VIEW: _viewed,
    AuditAction.FLAG_VIEW: _viewed,
    AuditAction.QUEUE_VIEW: _queue_view,
    AuditAction.RESCREEN_VIEW: _rescreen_view,
    AuditAction.FLAG_ACTION: _flag_action,
    AuditAction.EXPORT: _export,
    AuditAction.EXPORT_COMPLETE: _export_end(finished=True),
    AuditAction.EXPORT_INCOMPLETE: _export_end(finished=False),
    AuditAction.EXPORT_QUEUED: _export_queued,
    AuditAction.EXPORT_JOB_FINISHED: _export_job("finished"),
    AuditAction.EXPORT_JOB_FAILED: _export_job("failed"),
    AuditAction.EXPORT_DOWNLOAD: _export_job("downloaded"),
    AuditAction.EXPORT_EXPIRED: _export_job("expired: its file was deleted"),
    AuditAction.ANALYTICS_VIEW: _analytics,
    AuditAction.IMPORT: _import,
    AuditAction.AUDIT_VIEW: _audit_view,
    AuditAction.AUDIT_EXPORT: _audit_export,
    AuditAction.USER_CREATE: _user_create,
    AuditAction.USER_CHANGE: _user_change,
    AuditAction.USER_DEACTIVATE: _plain("Deactivated"),
    AuditAction.USER_PASSWORD_RESET: _password_reset,
    AuditAction.USER_SEARCH: _searched("users"),
    AuditAction.INSTRUMENT_RECORD: _instrument_record,
    AuditAction.INSTRUMENT_AMEND: _instrument_amend,
    AuditAction.INVITATION_CREATE: _invitation_create,
    AuditAction.INVITATION_OPEN: _invitation_open,
    AuditAction.INVITATION_DOB_FAILED: _invitation_dob_failed,
    AuditAction.INVITATION_FINISH: _invitation_finish,
    AuditAction.INVITATION_WITHDRAW: _invitation_withdraw,
    AuditAction.SELF_ENTRY_VIEW: _viewed,
    AuditAction.SELF_ENTRY_SIGN: _self_entry_sign,
    AuditAction.API_CALL: _api_call,
    AuditAction.API_CLIENT_CREATE: _api_client("Created"),
    AuditAction.API_CLIENT_REVOKE: _api_client("Revoked"),
}


def describe(action: str, object_type: str, object_id: str, detail: Any) -> str:
    """The row as one sentence; unknown actions read as their label (or code) and object, and
    detail keys no reader knows are added as "key value" phrases."""
    obj = object_name(object_type, object_id)
    rest = dict(detail) if isinstance(detail, dict) else {}
    reader = READERS.get(action)
    if reader is None:
        label = dict(AuditAction.choices).get(action, _value(action).capitalize())
        text = f"{label}: {obj}" if obj else label
    else:
        text = reader(obj, rest)
    extra = _phrases(rest)
    return f"{text}; {extra}" if extra else text
