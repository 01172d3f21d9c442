"""FHIR R4 export: NDJSON, one resource per line, built as plain dicts from the typed rows.

The file opens with the definitions the rest refers to (CodeSystems keyed by MIDUS variable
names, which LOINC does not cover, and the Questionnaire), then per patient: Patient (left out
when de-identified), the patient's unresolved Flags, and per visit a QuestionnaireResponse and
two Observations derived from it. Resources are checked against the R4 models in tests.

The recorded-instruments export (dataset "instruments") opens with the instruments' own
CodeSystems and Questionnaires, then per patient the Patient (left out when de-identified) and
per recorded instrument a QuestionnaireResponse with the Observations derived from it. The PHQ-9
is coded with LOINC (panel 44249-1, items, answers, total 44261-6, as LHC-Forms' LOINC PHQ-9
publishes them); the ASQ and LBP+PEG, which LOINC does not carry as such, with our own codes.
"""

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q
from django.db.models.functions import ExtractYear, JSONObject

from exports import deidentify
from exports.columns import columns
from exports.export import CHUNK_BYTES, Dataset, DateDetail, Export, Progress
from exports.sdc import (
    ANSWER_SETS,
    BASE,
    ITEMS_SYSTEM,
    QUESTIONNAIRE_URL,
    answer_system,
    questionnaire_resource,
)
from exports.selectors import rows
from screening import criteria, instruments, questionnaire
from screening.instruments import asq, lbp_peg, phq9
from screening.models import Flag, FlagKind, FlagStatus, Path

RESULTS_SYSTEM = f"{BASE}/CodeSystem/screen-results"
PATH_SYSTEM = f"{BASE}/CodeSystem/depression-path"
FLAG_KIND_SYSTEM = f"{BASE}/CodeSystem/flag-kind"
MRN_SYSTEM = f"{BASE}/sid/mrn"
PSEUDONYM_SYSTEM = f"{BASE}/sid/patient-pseudonym"
SNOMED = "http://snomed.info/sct"
BACKACHE = {"system": SNOMED, "code": "161891005", "display": "Backache"}
MAJOR_DEPRESSION = {"system": SNOMED, "code": "370143000", "display": "Major depressive disorder"}

_SURVEY = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey",
                "display": "Survey",
            }
        ]
    }
]
_CLINICAL_FLAG = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                "code": "clinical",
                "display": "Clinical",
            }
        ]
    }
]
_METHOD = (
    "Yang et al. 2023 (MIDUS) criteria, version {version}: CIDI-SF as fielded by MIDUS, "
    "a path entered and at least {cutoff} symptoms; back pain = backaches almost every day or "
    "several times a week in the past 30 days."
)


def _code_system(url: str, name: str, title: str, concepts: list[dict[str, str]]) -> dict:
    return {
        "resourceType": "CodeSystem",
        "id": url.rsplit("/", 1)[1],
        "url": url,
        "name": name,
        "title": title,
        "status": "active",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def definitions() -> list[dict[str, Any]]:
    """The CodeSystems and the Questionnaire the exported resources refer to."""
    items = [
        {"code": item.midus, "display": item.text, "definition": f"Answer key {item.key}."}
        for item in questionnaire.ITEMS.values()
    ]
    resources = [
        _code_system(ITEMS_SYSTEM, "MidusItems", "MIDUS II questionnaire items", items),
        *(
            _code_system(
                answer_system(choices),
                name.title().replace("-", ""),
                title,
                [{"code": code, "display": label} for code, label in choices],
            )
            for choices, (name, title) in ANSWER_SETS.items()
        ),
        _code_system(
            RESULTS_SYSTEM,
            "ScreenResults",
            "Parts of a depression screen result",
            [
                {"code": "depression-path", "display": "CIDI-SF path entered"},
                {"code": "symptom-count", "display": "Symptoms counted on the path entered"},
            ],
        ),
        _code_system(
            PATH_SYSTEM,
            "DepressionPath",
            "CIDI-SF path",
            [{"code": code, "display": label} for code, label in Path.choices],
        ),
        _code_system(
            FLAG_KIND_SYSTEM,
            "FlagKind",
            "Why a patient is flagged for review",
            [{"code": code, "display": label} for code, label in FlagKind.choices],
        ),
    ]
    resources.append(questionnaire_resource())
    return resources


# Rows to resources -------------------------------------------------------------------------


def _extra(export: Export) -> dict[str, Any]:
    """What the resources need beyond the CSV columns: the visit's id and the patient's flags."""
    deidentified = export.options.deidentified
    unresolved = Flag.objects.filter(~Q(status=FlagStatus.RESOLVED), patient=OuterRef("patient_id"))
    if deidentified and export.options.dates == DateDetail.YEAR:
        opened: Any = ExtractYear("opened_at")
    elif deidentified:
        opened = deidentify.shifted_local_date_sql("opened_at", F("patient_id"))
    else:
        opened = F("opened_at")
    flag_id = deidentify.pseudonym_sql(deidentify.FLAG, F("id")) if deidentified else F("id")
    flags = ArraySubquery(
        unresolved.order_by("opened_at", "id").values(
            json=JSONObject(id=flag_id, kind="kind", opened=opened)
        )
    )
    visit_ref = deidentify.pseudonym_sql(deidentify.VISIT, F("id")) if deidentified else F("id")
    return {"visit_ref": visit_ref, "flags": flags}


def fhir_when(value: Any) -> str:
    """A FHIR dateTime: UTC instant, shifted date, or year."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and "T" in value:  # a timestamp inside JSON from PostgreSQL
        return fhir_when(dt.datetime.fromisoformat(value))
    return str(value)


# Resources, one builder each: the export below and the API (interop) both build them here.

OBSERVATION_CODES = {"back-pain": BACKACHE, "major-depression": MAJOR_DEPRESSION}


def patient_reference(patient_id: Any) -> dict[str, Any]:
    return {"reference": f"Patient/{patient_id}"}


def patient_resource(
    *,
    id: Any,
    mrn: str,
    family_name: str,
    given_name: str,
    sex: str,
    date_of_birth: dt.date,
) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(id),
        "identifier": [{"system": MRN_SYSTEM, "value": mrn}],
        "name": [{"family": family_name, "given": [given_name]}],
        "gender": sex,
        "birthDate": date_of_birth.isoformat(),
    }


def flag_resource(
    *,
    id: Any,
    kind: str,
    opened: Any,
    subject: dict[str, Any],
    resolved: Any = None,
) -> dict[str, Any]:
    """A Flag: active until resolved (then inactive, its period ending then)."""
    label = FlagKind(kind).label
    period = {"start": fhir_when(opened)}
    if resolved is not None:
        period["end"] = fhir_when(resolved)
    return {
        "resourceType": "Flag",
        "id": str(id),
        "status": "active" if resolved is None else "inactive",
        "category": _CLINICAL_FLAG,
        "code": {
            "coding": [{"system": FLAG_KIND_SYSTEM, "code": kind, "display": label}],
            "text": label,
        },
        "subject": subject,
        "period": period,
    }


def response_resource(
    *,
    id: Any,
    answers: Mapping[str, Any],
    subject: dict[str, Any],
    authored: str,
    author: str | None,
) -> dict[str, Any]:
    """A QuestionnaireResponse with an item per answered key (unasked keys are left out)."""
    items = []
    for key, item in questionnaire.ITEMS.items():
        value = answers[key]
        if value is None:
            continue  # not asked: left out, never "No"
        if item.choices is None:
            answer: dict[str, Any] = {"valueBoolean": value}
        else:
            label = dict(item.choices)[value]
            coding = {"system": answer_system(item.choices), "code": value, "display": label}
            answer = {"valueCoding": coding}
        items.append({"linkId": key, "text": item.text, "answer": [answer]})
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(id),
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
        "subject": subject,
        "authored": authored,
    }
    if author is not None:
        response["author"] = {"display": author}
    response["item"] = items
    return response


def observation_resources(
    *,
    visit: Any,
    subject: dict[str, Any],
    when: str,
    back_pain: bool,
    back_pain_answered: bool,
    major_depression: bool,
    path: str,
    symptom_count: int,
    criteria_version: str,
) -> list[dict[str, Any]]:
    """The visit's two classifications, ids `<visit>-back-pain` and `<visit>-major-depression`."""
    method = {"text": _METHOD.format(version=criteria_version, cutoff=criteria.SYMPTOM_CUTOFF)}
    common = {
        "status": "final",
        "category": _SURVEY,
        "subject": subject,
        "effectiveDateTime": when,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{visit}"}],
        "method": method,
    }
    back_pain_resource = {
        "resourceType": "Observation",
        "id": f"{visit}-back-pain",
        **common,
        "code": {"coding": [BACKACHE], "text": "Back pain (study criterion)"},
        "valueBoolean": back_pain,
    }
    if not back_pain_answered:
        back_pain_resource["note"] = [{"text": "The back-pain item was not answered: not met."}]
    depression = {
        "resourceType": "Observation",
        "id": f"{visit}-major-depression",
        **common,
        "code": {"coding": [MAJOR_DEPRESSION], "text": "Major depression (study criterion)"},
        "valueBoolean": major_depression,
        "component": [
            {
                "code": {"coding": [{"system": RESULTS_SYSTEM, "code": "depression-path"}]},
                "valueCodeableConcept": {
                    "coding": [{"system": PATH_SYSTEM, "code": path, "display": Path(path).label}]
                },
            },
            {
                "code": {"coding": [{"system": RESULTS_SYSTEM, "code": "symptom-count"}]},
                "valueInteger": symptom_count,
            },
        ],
    }
    return [back_pain_resource, depression]


class _Builder:
    """Resources for one export, row by row; remembers only the current patient."""

    def __init__(self, export: Export) -> None:
        self.deidentified = export.options.deidentified
        self.keys = [column.key for column in columns(export.options)] + list(_extra(export))
        self.patient: str | None = None

    def resources(self, values: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
        row = dict(zip(self.keys, values, strict=True))
        patient = row["patient_pseudonym"] if self.deidentified else str(row["patient_id"])
        subject = self._subject(patient)
        if patient != self.patient:
            self.patient = patient
            if not self.deidentified:
                yield patient_resource(
                    id=row["patient_id"],
                    mrn=row["mrn"],
                    family_name=row["family_name"],
                    given_name=row["given_name"],
                    sex=row["sex"],
                    date_of_birth=row["date_of_birth"],
                )
            for flag in row["flags"]:
                yield flag_resource(
                    id=flag["id"], kind=flag["kind"], opened=flag["opened"], subject=subject
                )
        visit = str(row["visit_ref"])
        if self.deidentified:
            when = fhir_when(row.get("visit_date") or row.get("visit_year"))
        else:
            when = fhir_when(row["visit_at"])
        yield response_resource(
            id=visit,
            answers=row,
            subject=subject,
            authored=when,
            author=None if self.deidentified else row["clinician"],
        )
        yield from observation_resources(
            visit=visit,
            subject=subject,
            when=when,
            back_pain=row["back_pain"],
            back_pain_answered=row["back_pain_answered"],
            major_depression=row["major_depression"],
            path=row["path"],
            symptom_count=row["symptom_count"],
            criteria_version=row["criteria_version"],
        )

    def _subject(self, patient: str) -> dict[str, Any]:
        if self.deidentified:
            return {"identifier": {"system": PSEUDONYM_SYSTEM, "value": patient}}
        return patient_reference(patient)


def _line(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def ndjson_chunks(export: Export, progress: Progress | None = None) -> Iterator[bytes]:
    """The NDJSON file in pieces of about CHUNK_BYTES, streamed from the typed rows."""
    if export.options.dataset == Dataset.INSTRUMENTS:
        yield from instrument_ndjson_chunks(export, progress)
        return
    builder = _Builder(export)
    per_row = rows(export, extra=_extra(export), by_patient=True, progress=progress)
    yield from _ndjson(definitions(), (builder.resources(values) for values in per_row))


def _ndjson(
    first: list[dict[str, Any]], per_row: Iterator[Iterator[dict[str, Any]]]
) -> Iterator[bytes]:
    """`first` then each row's resources, one JSON line each, in pieces of about CHUNK_BYTES."""
    lines = [_line(resource) for resource in first]
    size = 0
    for resources in per_row:
        for resource in resources:
            line = _line(resource)
            lines.append(line)
            size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(lines).encode()
            lines.clear()
            size = 0
    yield "".join(lines).encode()


# Recorded instruments: definitions -------------------------------------------------------------

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
INSTRUMENT_ITEMS_SYSTEM = f"{BASE}/CodeSystem/instrument-items"
INSTRUMENT_RESULTS_SYSTEM = f"{BASE}/CodeSystem/instrument-results"
INSTRUMENT_SYSTEM = f"{BASE}/CodeSystem/instrument"
ASQ_ANSWER_SYSTEM = f"{BASE}/CodeSystem/asq-answer"
ASQ_RISK_SYSTEM = f"{BASE}/CodeSystem/asq-result"
PHQ9_BAND_SYSTEM = f"{BASE}/CodeSystem/phq9-band"
LBP_DURATION_SYSTEM = f"{BASE}/CodeSystem/lbp-duration"
LBP_FREQUENCY_SYSTEM = f"{BASE}/CodeSystem/lbp-frequency"
PHQ9_PANEL = {
    "system": LOINC,
    "code": phq9.PANEL_LOINC,
    "display": "PHQ-9 quick depression assessment panel [Reported.PHQ]",
}
PHQ9_TOTAL = {
    "system": LOINC,
    "code": phq9.TOTAL_LOINC,
    "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
}
_QUESTIONNAIRE_IDS = {
    instruments.Instrument.ASQ: "asq",
    instruments.Instrument.PHQ9: "phq9",
    instruments.Instrument.LBP_PEG: "lbp-peg",
}
_COPYRIGHT = {
    instruments.Instrument.ASQ: asq.SOURCE,
    instruments.Instrument.PHQ9: phq9.SOURCE
    + ". No permission required to reproduce, translate, display or distribute.",
    instruments.Instrument.LBP_PEG: lbp_peg.SOURCE,
}
# Our own codes for the parts of a result (INSTRUMENTS.md section 5); PHQ-9's total is LOINC's.
_RESULT_CODES = (
    ("asq-result", "ASQ result"),
    ("asq-acute", "ASQ acute positive (imminent risk)"),
    ("positive", "Instrument positive"),
    ("phq9-band", "PHQ-9 severity band"),
    ("phq9-mdd-algorithm", "PHQ-9 diagnostic algorithm for major depression met"),
    ("phq9-safety", "PHQ-9 item 9 at 1 or more"),
    ("lbp-chronic", "Chronic low back pain (NIH Task Force)"),
    ("peg-score", "PEG score (mean of three items, 0-10)"),
)
_RESULT_DISPLAY = dict(_RESULT_CODES)
_LOCAL_ANSWERS: dict[str, tuple[str, tuple[tuple[Any, str], ...]]] = {
    **{
        key: (ASQ_ANSWER_SYSTEM, asq.AsqAnswer.choices())
        for key in (*asq.SCREEN_KEYS, asq.ACUTE_KEY)
    },
    "lbp_duration": (LBP_DURATION_SYSTEM, lbp_peg.LbpDuration.choices()),
    "lbp_frequency": (LBP_FREQUENCY_SYSTEM, lbp_peg.LbpFrequency.choices()),
}


def instrument_questionnaire_url(instrument: str) -> str:
    return f"{BASE}/Questionnaire/{_QUESTIONNAIRE_IDS[instruments.Instrument(instrument)]}"


def _answer_coding(key: str, value: Any) -> dict[str, Any] | None:
    """The Coding of a coded answer: LOINC's answer codes for the PHQ-9, ours for the others;
    None for the PEG's numbers."""
    if key in phq9.ITEM_KEYS:
        level = phq9.Frequency(value)
        return {"system": LOINC, "code": level.loinc, "display": level.label}
    if key == phq9.DIFFICULTY_KEY:
        difficulty = phq9.Difficulty(value)
        return {
            "system": LOINC,
            "code": phq9.DIFFICULTY_LOINC[difficulty],
            "display": difficulty.label,
        }
    if key in _LOCAL_ANSWERS:
        system, choices = _LOCAL_ANSWERS[key]
        return {"system": system, "code": value, "display": dict(choices)[value]}
    return None


def _item_code(question: instruments.Question) -> dict[str, str]:
    if question.loinc:
        return {"system": LOINC, "code": question.loinc, "display": question.text}
    return {"system": INSTRUMENT_ITEMS_SYSTEM, "code": question.key, "display": question.text}


def _enable_when(question: instruments.Question) -> dict[str, Any]:
    """The skip rule as enableWhen, any condition enabling (ASQ 5; PHQ-9 difficulty)."""
    if question.key == asq.ACUTE_KEY:
        conditions = [
            {"question": key, "operator": "=", "answerCoding": _answer_coding(key, code)}
            for key in asq.SCREEN_KEYS
            for code in (asq.AsqAnswer.YES.value, asq.AsqAnswer.REFUSED.value)
        ]
    else:
        conditions = [
            {"question": key, "operator": "=", "answerCoding": _answer_coding(key, level)}
            for key in phq9.ITEM_KEYS
            for level in phq9.Frequency
            if level > 0
        ]
    return {"enableWhen": conditions, "enableBehavior": "any"}


def _instrument_questionnaire(instrument: instruments.Instrument) -> dict[str, Any]:
    items = []
    for question in instruments.QUESTIONS[instrument]:
        entry: dict[str, Any] = {
            "linkId": question.key,
            "code": [_item_code(question)],
            "text": question.text,
            "required": question.required and question.asked_when is None,
        }
        if isinstance(question.codes[0], int) and question.key not in phq9.ITEM_KEYS:
            entry["type"] = "integer"  # the PEG's 0-10
        else:
            entry["type"] = "choice"
            entry["answerOption"] = [
                {"valueCoding": _answer_coding(question.key, code)} for code in question.codes
            ]
        if question.asked_when:
            entry.update(_enable_when(question))
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _QUESTIONNAIRE_IDS[instrument],
        "url": instrument_questionnaire_url(instrument),
        "version": instruments.RULES_VERSION,
        "name": instrument.name.title().replace("_", ""),
        "title": instrument.label,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": _COPYRIGHT[instrument],
        "item": items,
    }
    if instrument is instruments.Instrument.PHQ9:
        resource["code"] = [PHQ9_PANEL]
        resource["description"] = phq9.STEM
    return resource


def instrument_definitions() -> list[dict[str, Any]]:
    """The CodeSystems and Questionnaires the recorded instruments' resources refer to."""
    local_items = [
        {"code": question.key, "display": question.text}
        for instrument in (instruments.Instrument.ASQ, instruments.Instrument.LBP_PEG)
        for question in instruments.QUESTIONS[instrument]
    ]
    return [
        _code_system(
            INSTRUMENT_ITEMS_SYSTEM, "InstrumentItems", "ASQ and LBP+PEG items", local_items
        ),
        _code_system(
            INSTRUMENT_SYSTEM,
            "Instrument",
            "Follow-up instruments",
            [{"code": code, "display": label} for code, label in instruments.Instrument.choices()],
        ),
        _code_system(
            INSTRUMENT_RESULTS_SYSTEM,
            "InstrumentResults",
            "Parts of an instrument's result (INSTRUMENTS.md section 5)",
            [{"code": code, "display": display} for code, display in _RESULT_CODES],
        ),
        *(
            _code_system(url, name, title, [{"code": c, "display": d} for c, d in choices])
            for url, name, title, choices in (
                (ASQ_ANSWER_SYSTEM, "AsqAnswer", "ASQ answers", asq.AsqAnswer.choices()),
                (ASQ_RISK_SYSTEM, "AsqResult", "ASQ results", asq.AsqRisk.choices()),
                (PHQ9_BAND_SYSTEM, "Phq9Band", "PHQ-9 severity bands", phq9.Band.choices()),
                (
                    LBP_DURATION_SYSTEM,
                    "LbpDuration",
                    "How long low-back pain has been a problem",
                    lbp_peg.LbpDuration.choices(),
                ),
                (
                    LBP_FREQUENCY_SYSTEM,
                    "LbpFrequency",
                    "How often low-back pain has been a problem in 6 months",
                    lbp_peg.LbpFrequency.choices(),
                ),
            )
        ),
        *(_instrument_questionnaire(instrument) for instrument in instruments.Instrument),
    ]


# Recorded instruments: rows to resources -------------------------------------------------------


def _instrument_extra(export: Export) -> dict[str, Any]:
    """Beyond the CSV columns: the record's id in resources (a pseudonym when de-identified)."""
    if export.options.deidentified:
        return {"ref": deidentify.pseudonym_sql(deidentify.INSTRUMENT, F("id"))}
    return {"ref": F("id")}


def _result_code(code: str) -> dict[str, Any]:
    return {
        "coding": [
            {"system": INSTRUMENT_RESULTS_SYSTEM, "code": code, "display": _RESULT_DISPLAY[code]}
        ]
    }


def _component(code: str, **value: Any) -> dict[str, Any]:
    return {"code": _result_code(code), **value}


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


class _InstrumentBuilder:
    """Resources for one export of recorded instruments, row by row; remembers only the current
    patient."""

    def __init__(self, export: Export) -> None:
        self.deidentified = export.options.deidentified
        self.keys = [column.key for column in columns(export.options)] + list(
            _instrument_extra(export)
        )
        self.patient: str | None = None

    def resources(self, values: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
        row = dict(zip(self.keys, values, strict=True))
        patient = row["patient_pseudonym"] if self.deidentified else str(row["patient_id"])
        if self.deidentified:
            subject: dict[str, Any] = {"identifier": {"system": PSEUDONYM_SYSTEM, "value": patient}}
            when = _instrument_when(row.get("administered_date") or row.get("administered_year"))
        else:
            subject = {"reference": f"Patient/{patient}"}
            when = _instrument_when(row["administered_at"])
        if patient != self.patient:
            self.patient = patient
            if not self.deidentified:
                yield _instrument_patient(row)
        ref = f"instrument-{row['ref']}"
        yield instrument_response(row, ref, subject, when, author=not self.deidentified)
        yield from instrument_observations(row, ref, subject, when)


def _instrument_when(value: Any) -> str:
    """A FHIR dateTime: the UTC instant, or the shifted date or the year of a de-identified row
    (the visits' _when; kept apart so the two builders can move separately)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _instrument_patient(row: dict[str, Any]) -> dict[str, Any]:
    """The Patient of an identified row, as the visits export writes it."""
    return {
        "resourceType": "Patient",
        "id": str(row["patient_id"]),
        "identifier": [{"system": MRN_SYSTEM, "value": row["mrn"]}],
        "name": [{"family": row["family_name"], "given": [row["given_name"]]}],
        "gender": row["sex"],
        "birthDate": row["date_of_birth"].isoformat(),
    }


def instrument_response(
    row: dict[str, Any], ref: str, subject: dict[str, Any], when: str, *, author: bool
) -> dict[str, Any]:
    """The QuestionnaireResponse of one recorded instrument: the answers asked, coded."""
    instrument = instruments.Instrument(row["instrument"])
    items = []
    for question in instruments.QUESTIONS[instrument]:
        value = row[question.key]
        if value is None:
            continue  # not asked: left out
        coding = _answer_coding(question.key, value)
        answer = {"valueInteger": int(value)} if coding is None else {"valueCoding": coding}
        items.append({"linkId": question.key, "text": question.text, "answer": [answer]})
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": ref,
        "questionnaire": instrument_questionnaire_url(instrument),
        "status": "completed",
        "subject": subject,
        "authored": when,
    }
    if author:
        response["author"] = {"display": row["clinician"]}
    response["item"] = items
    return response


def instrument_observations(
    row: dict[str, Any], ref: str, subject: dict[str, Any], when: str
) -> Iterator[dict[str, Any]]:
    """The Observations derived from one recorded instrument's response (section 5)."""
    common = {
        "resourceType": "Observation",
        "status": "final",
        "category": _SURVEY,
        "subject": subject,
        "effectiveDateTime": when,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{ref}"}],
        "method": {"text": f"INSTRUMENTS.md rules, version {row['rules_version']}"},
    }
    instrument = instruments.Instrument(row["instrument"])
    if instrument is instruments.Instrument.ASQ:
        risk = asq.AsqRisk(row["result"])
        yield {
            **common,
            "id": f"{ref}-result",
            "code": {**_result_code("asq-result"), "text": "ASQ result"},
            "valueCodeableConcept": _concept(ASQ_RISK_SYSTEM, risk.value, risk.label),
            "component": [
                _component("positive", valueBoolean=row["positive"]),
                _component("asq-acute", valueBoolean=row["acute"]),
            ],
        }
    elif instrument is instruments.Instrument.PHQ9:
        yield from _phq9_observations(row, ref, common)
    else:
        yield {
            **common,
            "id": f"{ref}-chronic",
            "code": {**_result_code("lbp-chronic"), "text": "Chronic low back pain"},
            "valueBoolean": row["chronic"],
        }
        yield {
            **common,
            "id": f"{ref}-peg",
            "code": {**_result_code("peg-score"), "text": "PEG score"},
            "valueQuantity": {
                "value": float(row["peg_score"]),
                "unit": "{score}",
                "system": UCUM,
                "code": "{score}",
            },
            "component": [
                {
                    "code": {"coding": [_item_code(question)]},
                    "valueInteger": row[question.key],
                }
                for question in lbp_peg.QUESTIONS
                if question.key in lbp_peg.PEG_KEYS
            ],
        }


def _phq9_observations(
    row: dict[str, Any], ref: str, common: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The PHQ-9 panel (44249-1) with each item answered, and the total score (44261-6)."""
    band = phq9.Band(row["band"])
    total_id = f"{ref}-total"
    yield {
        **common,
        "id": f"{ref}-panel",
        "code": {"coding": [PHQ9_PANEL], "text": "PHQ-9"},
        "hasMember": [{"reference": f"Observation/{total_id}"}],
        "component": [
            {
                "code": {"coding": [_item_code(question)]},
                "valueCodeableConcept": {
                    "coding": [_answer_coding(question.key, row[question.key])]
                },
            }
            for question in phq9.QUESTIONS
            if row[question.key] is not None
        ],
    }
    yield {
        **common,
        "id": total_id,
        "code": {"coding": [PHQ9_TOTAL], "text": "PHQ-9 total score"},
        "valueInteger": row["score"],
        "interpretation": [_concept(PHQ9_BAND_SYSTEM, band.value, band.label)],
        "component": [
            _component("positive", valueBoolean=row["positive"]),
            _component("phq9-mdd-algorithm", valueBoolean=row["mdd_algorithm"]),
            _component("phq9-safety", valueBoolean=row["safety"]),
        ],
    }


def instrument_ndjson_chunks(export: Export, progress: Progress | None = None) -> Iterator[bytes]:
    """The recorded instruments' NDJSON file in pieces of about CHUNK_BYTES, streamed."""
    builder = _InstrumentBuilder(export)
    per_row = rows(export, extra=_instrument_extra(export), by_patient=True, progress=progress)
    yield from _ndjson(instrument_definitions(), (builder.resources(values) for values in per_row))
