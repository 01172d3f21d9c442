"""FHIR R4 export: NDJSON, one resource per line, built as plain dicts from the typed rows.

The file opens with the definitions the rest refers to (CodeSystems keyed by MIDUS variable
names, which LOINC does not cover, and the Questionnaire), then per patient: Patient (left out
when de-identified), the patient's unresolved Flags, and per visit a QuestionnaireResponse and
two Observations derived from it. Resources are checked against the R4 models in tests.
"""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q
from django.db.models.functions import ExtractYear, JSONObject

from exports import deidentify
from exports.columns import columns
from exports.export import CHUNK_BYTES, DateDetail, Export, Progress
from exports.selectors import rows
from screening import criteria, questionnaire
from screening.models import Flag, FlagKind, FlagStatus, Path

BASE = "https://spine-mood-screen.example/fhir"
ITEMS_SYSTEM = f"{BASE}/CodeSystem/midus-items"
RESULTS_SYSTEM = f"{BASE}/CodeSystem/screen-results"
PATH_SYSTEM = f"{BASE}/CodeSystem/depression-path"
FLAG_KIND_SYSTEM = f"{BASE}/CodeSystem/flag-kind"
QUESTIONNAIRE_URL = f"{BASE}/Questionnaire/spine-mood-screen"
MRN_SYSTEM = f"{BASE}/sid/mrn"
PSEUDONYM_SYSTEM = f"{BASE}/sid/patient-pseudonym"
SNOMED = "http://snomed.info/sct"
BACKACHE = {"system": SNOMED, "code": "161891005", "display": "Backache"}
MAJOR_DEPRESSION = {"system": SNOMED, "code": "370143000", "display": "Major depressive disorder"}

_ANSWER_SETS = {
    questionnaire.BACKACHE_CHOICES: ("backache-frequency", "Backache frequency, past 30 days"),
    questionnaire.STEM_CHOICES: ("stem-answer", "Answers to the two-week stem questions"),
    questionnaire.DURATION_CHOICES: ("duration", "How long the feelings usually lasted"),
    questionnaire.FREQUENCY_CHOICES: ("frequency", "How often during those two weeks"),
    questionnaire.SLEEP_FREQUENCY_CHOICES: ("sleep-frequency", "How often trouble falling asleep"),
}
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


def _system(choices: questionnaire.Choices) -> str:
    return f"{BASE}/CodeSystem/{_ANSWER_SETS[choices][0]}"


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
                _system(choices),
                name.title().replace("-", ""),
                title,
                [{"code": code, "display": label} for code, label in choices],
            )
            for choices, (name, title) in _ANSWER_SETS.items()
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
    resources.append(_questionnaire())
    return resources


def _questionnaire() -> dict[str, Any]:
    items = []
    for item in questionnaire.ITEMS.values():
        entry: dict[str, Any] = {
            "linkId": item.key,
            "code": [{"system": ITEMS_SYSTEM, "code": item.midus, "display": item.text}],
            "text": item.text,
            "type": "boolean" if item.choices is None else "choice",
        }
        if item.choices is not None:
            system = _system(item.choices)
            entry["answerOption"] = [
                {"valueCoding": {"system": system, "code": code, "display": label}}
                for code, label in item.choices
            ]
        items.append(entry)
    return {
        "resourceType": "Questionnaire",
        "id": "spine-mood-screen",
        "url": QUESTIONNAIRE_URL,
        "name": "SpineMoodScreen",
        "title": "Back pain and depression screen (MIDUS II items, CIDI-SF)",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


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


def _when(value: Any) -> str:
    """A FHIR dateTime: UTC instant, shifted date, or year."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and "T" in value:  # a timestamp inside JSON from PostgreSQL
        return _when(dt.datetime.fromisoformat(value))
    return str(value)


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
                yield self._patient(row)
            for flag in row["flags"]:
                yield self._flag(flag, subject)
        visit = str(row["visit_ref"])
        if self.deidentified:
            when = _when(row.get("visit_date") or row.get("visit_year"))
        else:
            when = _when(row["visit_at"])
        yield self._response(row, visit, subject, when)
        yield from self._observations(row, visit, subject, when)

    def _subject(self, patient: str) -> dict[str, Any]:
        if self.deidentified:
            return {"identifier": {"system": PSEUDONYM_SYSTEM, "value": patient}}
        return {"reference": f"Patient/{patient}"}

    def _patient(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "resourceType": "Patient",
            "id": str(row["patient_id"]),
            "identifier": [{"system": MRN_SYSTEM, "value": row["mrn"]}],
            "name": [{"family": row["family_name"], "given": [row["given_name"]]}],
            "gender": row["sex"],
            "birthDate": row["date_of_birth"].isoformat(),
        }

    def _flag(self, flag: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
        label = FlagKind(flag["kind"]).label
        return {
            "resourceType": "Flag",
            "id": str(flag["id"]),
            "status": "active",
            "category": _CLINICAL_FLAG,
            "code": {
                "coding": [{"system": FLAG_KIND_SYSTEM, "code": flag["kind"], "display": label}],
                "text": label,
            },
            "subject": subject,
            "period": {"start": _when(flag["opened"])},
        }

    def _response(
        self, row: dict[str, Any], visit: str, subject: dict[str, Any], when: str
    ) -> dict[str, Any]:
        items = []
        for key, item in questionnaire.ITEMS.items():
            value = row[key]
            if value is None:
                continue  # not asked: left out, never "No"
            if item.choices is None:
                answer: dict[str, Any] = {"valueBoolean": value}
            else:
                label = dict(item.choices)[value]
                coding = {"system": _system(item.choices), "code": value, "display": label}
                answer = {"valueCoding": coding}
            items.append({"linkId": key, "text": item.text, "answer": [answer]})
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": visit,
            "questionnaire": QUESTIONNAIRE_URL,
            "status": "completed",
            "subject": subject,
            "authored": when,
        }
        if not self.deidentified:
            response["author"] = {"display": row["clinician"]}
        response["item"] = items
        return response

    def _observations(
        self, row: dict[str, Any], visit: str, subject: dict[str, Any], when: str
    ) -> Iterator[dict[str, Any]]:
        version = row["criteria_version"]
        method = {"text": _METHOD.format(version=version, cutoff=criteria.SYMPTOM_CUTOFF)}
        common = {
            "status": "final",
            "category": _SURVEY,
            "subject": subject,
            "effectiveDateTime": when,
            "derivedFrom": [{"reference": f"QuestionnaireResponse/{visit}"}],
            "method": method,
        }
        back_pain = {
            "resourceType": "Observation",
            "id": f"{visit}-back-pain",
            **common,
            "code": {"coding": [BACKACHE], "text": "Back pain (study criterion)"},
            "valueBoolean": row["back_pain"],
        }
        if not row["back_pain_answered"]:
            back_pain["note"] = [{"text": "The back-pain item was not answered: not met."}]
        yield back_pain
        path = row["path"]
        yield {
            "resourceType": "Observation",
            "id": f"{visit}-major-depression",
            **common,
            "code": {"coding": [MAJOR_DEPRESSION], "text": "Major depression (study criterion)"},
            "valueBoolean": row["major_depression"],
            "component": [
                {
                    "code": {"coding": [{"system": RESULTS_SYSTEM, "code": "depression-path"}]},
                    "valueCodeableConcept": {
                        "coding": [
                            {"system": PATH_SYSTEM, "code": path, "display": Path(path).label}
                        ]
                    },
                },
                {
                    "code": {"coding": [{"system": RESULTS_SYSTEM, "code": "symptom-count"}]},
                    "valueInteger": row["symptom_count"],
                },
            ],
        }


def _line(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def ndjson_chunks(export: Export, progress: Progress | None = None) -> Iterator[bytes]:
    """The NDJSON file in pieces of about CHUNK_BYTES, streamed from the typed rows."""
    builder = _Builder(export)
    lines = [_line(resource) for resource in definitions()]
    size = 0
    for values in rows(export, extra=_extra(export), by_patient=True, progress=progress):
        for resource in builder.resources(values):
            line = _line(resource)
            lines.append(line)
            size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(lines).encode()
            lines.clear()
            size = 0
    yield "".join(lines).encode()
