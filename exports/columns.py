"""Which columns an export writes: header, meaning, type and the SQL that computes each value."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import (
    BooleanField,
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
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, ExtractYear, Round, TruncDate
from django.db.models.lookups import GreaterThanOrEqual, IsNull

from exports import deidentify
from exports.export import Choices, Dataset, DateDetail, ExportOptions
from patients.models import Earnings, Education, Sex
from screening import criteria, instruments, questionnaire
from screening.instruments import asq, lbp_peg, phq9
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


def _age_at_visit(moment: str = "visit_at") -> Expression:
    return _Years(TruncDate(moment), F("patient__date_of_birth"))


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


def _age_group(moment: str) -> Expression:
    """The age on the day, with every age over 89 as one group (deidentify.age_group)."""
    age = _age_at_visit(moment)
    return Case(
        When(
            GreaterThanOrEqual(age, deidentify.AGE_TOP_CODE), then=Value(deidentify.AGE_TOP_LABEL)
        ),
        default=Cast(age, CharField()),
        output_field=CharField(),
    )


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
    """The columns in order: answers, results, visit, patient, covariates (DESIGN.md); for
    recorded instruments, instrument_columns()."""
    if options.dataset == Dataset.INSTRUMENTS:
        return instrument_columns(options)
    who = _deidentified_columns(options.dates) if options.deidentified else _identified_columns()
    return [
        *_answer_columns(options.midus_names),
        *_result_columns(),
        *who,
        *_covariate_columns(),
    ]


# Recorded instruments: one row each ---------------------------------------------------------

_INSTRUMENT = "instrument"
_INSTRUMENT_RESULT = "instrument result"
_QUESTION_SOURCES = {
    instruments.Instrument.ASQ: asq.SOURCE,
    instruments.Instrument.PHQ9: phq9.SOURCE,
    instruments.Instrument.LBP_PEG: lbp_peg.SOURCE,
}


def _answer_expression(question: instruments.Question) -> tuple[Kind, Any, Choices]:
    """An answer key read from the JSON in SQL (answers->>'key'): integer-coded items as
    numbers, the others as their codes; an unasked key (JSON null) is NULL."""
    text = KT(f"answers__{question.key}")
    if isinstance(question.codes[0], int):
        return Kind.INT, Cast(text, IntegerField()), ()
    return Kind.CHOICE, text, tuple((str(code), label) for code, label in question.choices)


def _instrument_answer_columns() -> list[Column]:
    columns = []
    for instrument, questions in instruments.QUESTIONS.items():
        for question in questions:
            kind, expression, choices = _answer_expression(question)
            when = f" (asked {question.asked_when})" if question.asked_when else ""
            description = (
                f"{instrument.label}: {question.text}{when}. {_QUESTION_SOURCES[instrument]}."
            )
            columns.append(
                Column(question.key, question.key, "answer", description, kind, expression, choices)
            )
    return columns


def _result_key(key: str, kind: Kind, description: str, choices: Choices = ()) -> Column:
    text = KT(f"result__{key}")
    output = {
        Kind.BOOL: BooleanField(),
        Kind.INT: IntegerField(),
        Kind.DECIMAL: DecimalField(max_digits=4, decimal_places=1),
    }
    expression = Cast(text, output[kind]) if kind in output else text
    return Column(key, key, _INSTRUMENT_RESULT, description, kind, expression, choices)


def _instrument_result_columns() -> list[Column]:
    """The result keys of INSTRUMENTS.md section 5, each empty where its instrument has none."""
    return [
        _result_key(
            "result", Kind.CHOICE, "ASQ: the result (section 1).", tuple(asq.AsqRisk.choices())
        ),
        Column(
            "positive",
            "positive",
            _INSTRUMENT_RESULT,
            "Positive: ASQ any positive, PHQ-9 score of 10 or more, LBP+PEG chronic.",
            Kind.BOOL,
            F("positive"),
        ),
        _result_key("acute", Kind.BOOL, "ASQ: acute positive (imminent risk)."),
        _result_key("score", Kind.INT, "PHQ-9: total score, 0-27."),
        _result_key("band", Kind.CHOICE, "PHQ-9: severity band.", tuple(phq9.Band.choices())),
        _result_key(
            "mdd_algorithm",
            Kind.BOOL,
            "PHQ-9: the diagnostic algorithm for major depression is met.",
        ),
        _result_key("safety", Kind.BOOL, "PHQ-9: item 9 at 1 or more (raises a safety flag)."),
        _result_key(
            "chronic", Kind.BOOL, "LBP: chronic low back pain (NIH Task Force definition)."
        ),
        _result_key("peg_score", Kind.DECIMAL, "PEG: mean of the three items, 0-10, one decimal."),
        _field("rules_version", _INSTRUMENT_RESULT, "Version of the instrument rules.", Kind.CODE),
    ]


def _kind_column() -> Column:
    return Column(
        "instrument",
        "instrument",
        _INSTRUMENT,
        "Which instrument.",
        Kind.CHOICE,
        F("instrument"),
        tuple(instruments.Instrument.choices()),
    )


def _identified_instrument_columns() -> list[Column]:
    return [
        Column(
            "instrument_id",
            "instrument_id",
            _INSTRUMENT,
            "The recorded instrument's record number.",
            Kind.INT,
            F("id"),
        ),
        _kind_column(),
        _field(
            "administered_at",
            _INSTRUMENT,
            "When the instrument was administered (UTC, ISO 8601).",
            Kind.DATETIME,
        ),
        Column(
            "flag_id",
            "flag_id",
            _INSTRUMENT,
            "The flag it assesses; empty when recorded on its own.",
            Kind.INT,
            F("flag_id"),
        ),
        Column(
            "amends_id",
            "amends_id",
            _INSTRUMENT,
            "The recorded instrument this one corrects, if it is an amendment.",
            Kind.INT,
            F("amends_id"),
        ),
        Column(
            "clinician",
            "clinician",
            _INSTRUMENT,
            "Username of the clinician who recorded it.",
            Kind.TEXT,
            F("clinician__username"),
        ),
        *(
            column
            for column in _identified_columns()
            if column.group == "patient" and column.key != "age_at_visit"
        ),
        Column(
            "age_at_administration",
            "age_at_administration",
            "patient",
            "Age in whole years on the (clinic-local) day it was administered.",
            Kind.AGE,
            _age_at_visit("administered_at"),
        ),
    ]


def _pseudonym_or_null(purpose: str, field: str) -> Expression:
    # Concat would hash "flag:" for a missing id: no flag stays empty
    return Case(
        When(IsNull(F(field), True), then=Value(None, output_field=CharField())),
        default=deidentify.pseudonym_sql(purpose, F(field)),
        output_field=CharField(),
    )


def _deidentified_instrument_columns(dates: str) -> list[Column]:
    if dates == DateDetail.YEAR:
        when = Column(
            "administered_year",
            "administered_year",
            _INSTRUMENT,
            "Year it was administered (clinic-local).",
            Kind.INT,
            ExtractYear("administered_at"),
        )
    else:
        when = Column(
            "administered_date",
            "administered_date",
            _INSTRUMENT,
            "Day it was administered (clinic-local), moved by the patient's offset of 1-182 "
            "days, the same as for the patient's visits, so intervals hold.",
            Kind.DATE,
            deidentify.shifted_local_date_sql("administered_at", F("patient_id")),
        )
    top = deidentify.AGE_TOP_CODE
    pseudonym = "Pseudonymous id: a keyed hash, stable across exports, not reversible."
    return [
        Column(
            "instrument_pseudonym",
            "instrument_pseudonym",
            _INSTRUMENT,
            f"The recorded instrument. {pseudonym}",
            Kind.CODE,
            deidentify.pseudonym_sql(deidentify.INSTRUMENT, F("id")),
        ),
        _kind_column(),
        when,
        Column(
            "flag_pseudonym",
            "flag_pseudonym",
            _INSTRUMENT,
            f"The flag it assesses (as in FHIR exports); empty when none. {pseudonym}",
            Kind.CODE,
            _pseudonym_or_null(deidentify.FLAG, "flag_id"),
        ),
        Column(
            "amends_pseudonym",
            "amends_pseudonym",
            _INSTRUMENT,
            f"The recorded instrument this one corrects; empty when none. {pseudonym}",
            Kind.CODE,
            _pseudonym_or_null(deidentify.INSTRUMENT, "amends_id"),
        ),
        Column(
            "patient_pseudonym",
            "patient_pseudonym",
            "patient",
            "Pseudonymous patient id, the same as in the visits export. " + pseudonym,
            Kind.CODE,
            deidentify.pseudonym_sql(deidentify.PATIENT, F("patient_id")),
        ),
        *_demographic_columns(),
        Column(
            "age_at_administration",
            "age_at_administration",
            "patient",
            f"Age in whole years on the day; ages over {top - 1} read "
            f'"{deidentify.AGE_TOP_LABEL}".',
            Kind.AGE,
            _age_group("administered_at"),
        ),
    ]


def instrument_columns(options: ExportOptions) -> list[Column]:
    """The recorded-instrument columns in order: every instrument's answer keys, the result
    keys, rules_version, then the instrument, flag and patient (docs/exports.md)."""
    if options.deidentified:
        who = _deidentified_instrument_columns(options.dates)
    else:
        who = _identified_instrument_columns()
    return [*_instrument_answer_columns(), *_instrument_result_columns(), *who]
