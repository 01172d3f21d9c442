"""Which columns an export writes: header, meaning, type and the SQL that computes each value."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Expression,
    F,
    Func,
    IntegerField,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractYear, Round, TruncDate
from django.db.models.lookups import GreaterThanOrEqual

from exports import deidentify
from exports.export import Choices, DateDetail, ExportOptions
from patients.models import Earnings, Education, Sex
from screening import criteria, questionnaire
from screening.models import (
    Path,
)

# Which columns -------------------------------------------------------------------------------


class Kind(StrEnum):
    """How a column's values are typed and written."""

    CHOICE = "choice"  # one of `choices`; the code, or its label on request
    BOOL = "bool"  # true/false (Yes/No with labels); empty when not asked
    INT = "int"
    DECIMAL = "decimal"
    CODE = "code"  # an app code written as is (criteria version, stem key)
    TEXT = "text"  # free text typed by people: neutralised against spreadsheet formulas
    DATETIME = "datetime"  # an instant, written in UTC
    DATE = "date"
    AGE = "age"  # whole years; "90+" in de-identified exports


@dataclass(frozen=True)
class Column:
    """One exported column: header, meaning, type and the SQL that computes its value."""

    key: str  # stable name: the answer key or the column name without MIDUS naming
    name: str  # the header
    group: str
    description: str
    kind: Kind
    expression: Any
    choices: Choices = ()
    midus: str = ""


_YES_NO: Choices = (("true", "Yes"), ("false", "No"))
_RESULT = "result"


def _field(
    key: str, group: str, description: str, kind: Kind, choices: Choices = (), midus: str = ""
) -> Column:
    return Column(key, key, group, description, kind, F(key), choices, midus)


def _answer_columns(midus_names: bool) -> list[Column]:
    columns = []
    for key in questionnaire.ANSWER_KEYS:
        item = questionnaire.ITEMS[key]
        kind = Kind.BOOL if item.choices is None else Kind.CHOICE
        name = item.midus if midus_names else key
        columns.append(
            Column(key, name, "answer", item.text, kind, F(key), item.choices or (), item.midus)
        )
    return columns


def _result_columns() -> list[Column]:
    return [
        _field("back_pain", _RESULT, "Meets the back-pain criterion (CRITERIA.md 1).", Kind.BOOL),
        _field(
            "major_depression",
            _RESULT,
            f"Meets the major-depression criterion: a path entered and at least "
            f"{criteria.SYMPTOM_CUTOFF} symptoms (CRITERIA.md 2).",
            Kind.BOOL,
        ),
        _field("path", _RESULT, "The CIDI-SF path entered.", Kind.CHOICE, tuple(Path.choices)),
        _field(
            "symptom_count",
            _RESULT,
            "Symptoms counted on the path entered (0-7 depressed affect, 0-6 anhedonia).",
            Kind.INT,
        ),
        _field("criteria_version", _RESULT, "Version of the criteria that classified.", Kind.CODE),
        _field("safety_flag", _RESULT, "Thoughts of death endorsed on either path.", Kind.BOOL),
        _field(
            "antidepressant_volunteered",
            _RESULT,
            "The patient volunteered being on anti-depressants at a stem question.",
            Kind.BOOL,
        ),
        _field(
            "back_pain_answered",
            _RESULT,
            "The back-pain item was answered; false marks the visit incomplete.",
            Kind.BOOL,
        ),
        _field(
            "stopped_at",
            _RESULT,
            "The stem question where the depression interview ended when no path was entered.",
            Kind.CODE,
        ),
    ]


class _Years(Func):
    """Whole years between a date of birth and a day (PostgreSQL age())."""

    template = "EXTRACT(YEAR FROM age(%(expressions)s))::int"
    output_field = IntegerField()


def _age_at_visit() -> Expression:
    return _Years(TruncDate("visit_at"), F("patient__date_of_birth"))


def _identified_columns() -> list[Column]:
    visit, patient = "visit", "patient"
    return [
        Column("visit_id", "visit_id", visit, "The visit's record number.", Kind.INT, F("id")),
        _field("visit_at", visit, "When the visit took place (UTC, ISO 8601).", Kind.DATETIME),
        Column(
            "amends_visit_id",
            "amends_visit_id",
            visit,
            "The visit this one corrects, if it is an amendment.",
            Kind.INT,
            F("amends_id"),
        ),
        Column(
            "clinician",
            "clinician",
            visit,
            "Username of the clinician who recorded the visit.",
            Kind.TEXT,
            F("clinician__username"),
        ),
        Column(
            "patient_id",
            "patient_id",
            patient,
            "The patient's record number.",
            Kind.INT,
            F("patient_id"),
        ),
        *(
            Column(key, key, patient, text, kind, F(f"patient__{key}"))
            for key, text, kind in (
                ("mrn", "Medical record number.", Kind.TEXT),
                ("family_name", "Family name.", Kind.TEXT),
                ("given_name", "Given name.", Kind.TEXT),
                ("date_of_birth", "Date of birth.", Kind.DATE),
            )
        ),
        *_demographic_columns(),
        Column(
            "age_at_visit",
            "age_at_visit",
            patient,
            "Age in whole years on the (clinic-local) visit date.",
            Kind.AGE,
            _age_at_visit(),
        ),
    ]


def _demographic_columns() -> list[Column]:
    return [
        Column(key, key, "patient", text, Kind.CHOICE, F(f"patient__{key}"), choices, midus)
        for key, text, choices, midus in (
            ("sex", "Sex.", tuple(Sex.choices), "B1PRSEX"),
            (
                "education",
                "Highest level of education completed.",
                tuple(Education.choices),
                "B1PB1",
            ),
            ("earnings", "Annual personal earnings band, USD.", tuple(Earnings.choices), "B1SG8A"),
        )
    ]


def _deidentified_columns(dates: str) -> list[Column]:
    if dates == DateDetail.YEAR:
        when = Column(
            "visit_year",
            "visit_year",
            "visit",
            "Year of the visit (clinic-local).",
            Kind.INT,
            ExtractYear("visit_at"),
        )
    else:
        when = Column(
            "visit_date",
            "visit_date",
            "visit",
            "Visit date (clinic-local) moved by the patient's offset of 1-182 days, the same "
            "for all of a patient's dates, so intervals hold.",
            Kind.DATE,
            deidentify.shifted_local_date_sql("visit_at", F("patient_id")),
        )
    top = deidentify.AGE_TOP_CODE
    age = Case(
        When(GreaterThanOrEqual(_age_at_visit(), top), then=Value(deidentify.AGE_TOP_LABEL)),
        default=Cast(_age_at_visit(), CharField()),
        output_field=CharField(),
    )
    return [
        when,
        Column(
            "patient_pseudonym",
            "patient_pseudonym",
            "patient",
            "Pseudonymous patient id: a keyed hash, stable across exports, not reversible "
            "without the clinic's key.",
            Kind.CODE,
            deidentify.pseudonym_sql(deidentify.PATIENT, F("patient_id")),
        ),
        *_demographic_columns(),
        Column(
            "age_at_visit",
            "age_at_visit",
            "patient",
            f"Age in whole years on the visit date; ages over {top - 1} read "
            f'"{deidentify.AGE_TOP_LABEL}".',
            Kind.AGE,
            age,
        ),
    ]


def _covariate_kind(covariate: questionnaire.Covariate) -> Kind:
    if covariate.choices is not None:
        return Kind.CHOICE
    return Kind.BOOL if covariate.yes_no else Kind.DECIMAL


def _covariate_columns() -> list[Column]:
    group = "covariate"
    metres = F("height_cm") / Value(100, output_field=DecimalField())
    bmi = Round(F("weight_kg") / (metres * metres), 1, output_field=DecimalField())
    return [
        *(
            Column(
                key,
                key,
                group,
                covariate.text,
                _covariate_kind(covariate),
                F(key),
                covariate.choices or (),
                covariate.midus,
            )
            for key, covariate in questionnaire.COVARIATES.items()
        ),
        Column(
            "bmi",
            "bmi",
            group,
            "Body-mass index, kg/m² (from height and weight).",
            Kind.DECIMAL,
            bmi,
            midus="B1SBMI",
        ),
    ]


def columns(options: ExportOptions) -> list[Column]:
    """The columns in order: answers, results, visit, patient, covariates (DESIGN.md)."""
    who = _deidentified_columns(options.dates) if options.deidentified else _identified_columns()
    return [
        *_answer_columns(options.midus_names),
        *_result_columns(),
        *who,
        *_covariate_columns(),
    ]
