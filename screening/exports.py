"""Visit exports: which visits (filters), which columns, and the streams built from them.

Each export is one SELECT, defined once here (filters, joins, one expression per column). The
typed row generator `rows()` runs it through a server-side cursor and feeds the XLSX and FHIR
builders. CSV runs the same SELECT with every column formatted as text in SQL, through
PostgreSQL's COPY, and relays the bytes in chunks: a Python CSV writer costs several times COPY
at a million rows (docs/exports.md, docs/benchmarks.md). Memory stays flat on every path.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextChoices,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, ExtractYear, Replace, Round, TruncDate
from django.db.models.lookups import Exact, GreaterThanOrEqual, Regex
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from patients.models import Earnings, Education, Sex
from screening import criteria, deidentify
from screening.models import (
    Alcohol,
    Concern,
    Flag,
    FlagEvent,
    FlagEventAction,
    FlagStatus,
    Path,
    Smoking,
    Visit,
)

Choices = tuple[tuple[str, str], ...]

CHUNK_ROWS = 2000  # rows per server-side cursor fetch
CHUNK_BYTES = 256 * 1024  # bytes per streamed piece of a CSV
EXCEL_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
UNRESOLVED = "unresolved"


class Format(TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    FHIR = "fhir", "FHIR R4 (NDJSON)"


class DateDetail(TextChoices):
    SHIFTED = "shifted", "Shifted by a per-patient offset (keeps intervals)"
    YEAR = "year", "Year only"


FLAG_STATUS_CHOICES: Choices = (
    (UNRESOLVED, "Open or in review"),
    *FlagStatus.choices,
)
_CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.FHIR: "application/fhir+ndjson",
}
_EXTENSIONS = {Format.CSV: "csv", Format.XLSX: "xlsx", Format.FHIR: "ndjson"}


@dataclass(frozen=True)
class ExportFilters:
    """Which visits: recorded at or before `as_of`, so the announced count is what streams."""

    date_from: dt.date
    date_to: dt.date
    clinician_id: int | None = None
    back_pain: bool | None = None
    major_depression: bool | None = None
    flag_kind: str = ""
    flag_status: str = ""
    current_only: bool = True
    as_of: dt.datetime | None = None

    def for_audit(self) -> dict[str, Any]:
        """The filters as JSON: dates, codes and a user id, never PHI."""
        detail = asdict(self)
        detail["date_from"] = self.date_from.isoformat()
        detail["date_to"] = self.date_to.isoformat()
        detail["as_of"] = self.as_of.isoformat() if self.as_of else None
        return detail


@dataclass(frozen=True)
class ExportOptions:
    """How the rows are written."""

    labels: bool = False
    midus_names: bool = False
    deidentified: bool = False
    dates: str = DateDetail.SHIFTED


@dataclass(frozen=True)
class Export:
    """One requested export: its format, the visits it covers and how they are written."""

    format: str
    filters: ExportFilters
    options: ExportOptions = field(default_factory=ExportOptions)

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[Format(self.format)]

    @property
    def filename(self) -> str:
        """A file name from the date range and mode only (no PHI)."""
        kind = "-deidentified" if self.options.deidentified else ""
        span = f"{self.filters.date_from:%Y%m%d}-{self.filters.date_to:%Y%m%d}"
        return f"visits-{span}{kind}.{_EXTENSIONS[Format(self.format)]}"

    def as_of_now(self) -> "Export":
        """This export limited to the visits recorded by now, so a count made now still holds
        when the rows stream later."""
        return replace(self, filters=replace(self.filters, as_of=timezone.now()))

    def audit_detail(self, row_count: int) -> dict[str, Any]:
        """What the EXPORT audit row keeps: format, filters, options, count; never PHI."""
        options = asdict(self.options)
        deidentified = options.pop("deidentified")
        return {
            "format": self.format,
            "filters": self.filters.for_audit(),
            "options": options,
            "row_count": row_count,
            "deidentified": deidentified,
        }


# Which visits ------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def export_visits(filters: ExportFilters) -> QuerySet[Visit]:
    """The visits an export covers; the date range is in the clinic's time zone, both ends in."""
    visits = Visit.objects.filter(
        visit_at__gte=_day_start(filters.date_from),
        visit_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)),
    )
    recorded = Q(recorded_at__lte=filters.as_of) if filters.as_of else Q()
    visits = visits.filter(recorded)
    if filters.clinician_id is not None:
        visits = visits.filter(clinician_id=filters.clinician_id)
    if filters.back_pain is not None:
        visits = visits.filter(back_pain=filters.back_pain)
    if filters.major_depression is not None:
        visits = visits.filter(major_depression=filters.major_depression)
    if filters.current_only:
        # a visit is current until an amendment (recorded by `as_of`) points to it
        newer = Visit.objects.filter(recorded, amends=OuterRef("pk"))
        visits = visits.filter(~Exists(newer))
    if filters.flag_kind or filters.flag_status:
        visits = visits.filter(_linked_to_flag(filters.flag_kind, filters.flag_status))
    return visits


def _linked_to_flag(kind: str, status: str) -> Q:
    """Visits that raised a matching flag or were attached to it by a later screening."""
    flag = Q()
    if kind:
        flag &= Q(kind=kind)
    if status == UNRESOLVED:
        flag &= ~Q(status=FlagStatus.RESOLVED)
    elif status:
        flag &= Q(status=status)
    raised = Flag.objects.filter(flag, visit=OuterRef("pk"))
    attached = FlagEvent.objects.filter(
        visit=OuterRef("pk"),
        action=FlagEventAction.ATTACHED,
        flag__in=Flag.objects.filter(flag),
    )
    return Q(Exists(raised)) | Q(Exists(attached))


def count_visits(filters: ExportFilters) -> int:
    """How many visits the export covers."""
    return export_visits(filters).count()


def size_problem(export_format: str, row_count: int) -> str | None:
    """Why a format cannot hold this many visits, or None when it can."""
    if export_format == Format.XLSX and row_count > EXCEL_MAX_ROWS:
        return (
            f"Excel holds at most {EXCEL_MAX_ROWS:,} rows and {row_count:,} visits match: "
            "narrow the dates or choose CSV."
        )
    return None


def clinicians() -> QuerySet[Any]:
    """Users who may record visits (or have), for the clinician filter."""
    user_model = get_user_model()
    recorders = Q(groups__permissions__codename="add_visit") | Q(is_superuser=True)
    return user_model.objects.filter(recorders).distinct().order_by("username")


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
    for key in criteria.ANSWER_KEYS:
        item = criteria.ITEMS[key]
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


def _covariate_columns() -> list[Column]:
    group = "covariate"
    metres = F("height_cm") / Value(100, output_field=DecimalField())
    bmi = Round(F("weight_kg") / (metres * metres), 1, output_field=DecimalField())
    return [
        _field(
            "presenting_concern", group, "Presenting concern.", Kind.CHOICE, tuple(Concern.choices)
        ),
        _field("antidepressant_use", group, "Currently taking an antidepressant.", Kind.BOOL),
        _field(
            "regular_exercise",
            group,
            "Regular exercise (20 minutes or more, 3 or more times a week).",
            Kind.BOOL,
            midus="B1SA30/B1SA31",
        ),
        _field("smoking", group, "Smoking.", Kind.CHOICE, tuple(Smoking.choices), "B1PA38A/B1PA39"),
        _field(
            "alcohol",
            group,
            "Alcohol use in the past month.",
            Kind.CHOICE,
            tuple(Alcohol.choices),
            "B1PA50/B1PA51",
        ),
        _field("height_cm", group, "Height in centimetres.", Kind.DECIMAL, midus="B1SA37"),
        _field("weight_kg", group, "Weight in kilograms.", Kind.DECIMAL, midus="B1SA39"),
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


# The query, typed and as text ------------------------------------------------------------------


def _alias(index: int) -> str:
    return f"export_{index}"  # never a model field name, so annotations cannot collide


def _select(
    export: Export,
    expressions: list[Any],
    *,
    by_patient: bool = False,
) -> QuerySet[Visit]:
    """The one export query: filtered visits joined to patient and clinician, in file order."""
    aliases = [_alias(index) for index in range(len(expressions))]
    visits = export_visits(export.filters).annotate(**dict(zip(aliases, expressions, strict=True)))
    if export.options.deidentified:
        # not by real date or id, which would leak the true order of shifted dates
        patient = deidentify.pseudonym_sql(deidentify.PATIENT, F("patient_id"))
        order: list[Any] = [patient, "visit_at", "id"]
    elif by_patient:
        order = ["patient_id", "visit_at", "id"]
    else:
        order = ["visit_at", "id"]
    return visits.order_by(*order).values_list(*aliases)


def rows(
    export: Export,
    *,
    extra: Mapping[str, Any] | None = None,
    by_patient: bool = False,
) -> Iterator[tuple[Any, ...]]:
    """The typed row generator: one tuple per visit, `columns()` then `extra`, streamed."""
    expressions = [column.expression for column in columns(export.options)]
    expressions += list((extra or {}).values())
    query = _select(export, expressions, by_patient=by_patient)
    # inside a transaction the server-side cursor is not WITH HOLD, so PostgreSQL streams it
    # instead of materialising every row first
    with transaction.atomic():
        yield from query.iterator(chunk_size=CHUNK_ROWS)


# CSV: COPY of the same query, formatted as text by PostgreSQL ------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9,.]+")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with ' (defusedcsv's rule, plus tab
    and carriage return); plain numbers such as -12.5 pass unchanged."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text.replace("|", "\\|")
    return text


def _neutralised_sql(expression: Any) -> Expression:
    """neutralise() in SQL."""
    escaped = Concat(
        Value("'"), Replace(expression, Value("|"), Value("\\|")), output_field=CharField()
    )
    return Case(
        When(
            Regex(expression, "^[=+@|%\t\r-]"),
            then=Case(
                When(Regex(expression, "^-?[0-9,.]+$"), then=expression),
                default=escaped,
            ),
        ),
        default=expression,
        output_field=CharField(),
    )


# The two below rely on DateStyle ISO, which csv_chunks sets for its COPY; to_char() would not,
# but costs about a second more per million rows.


class _UtcIso(Func):
    template = (
        "(translate(date_trunc('second', %(expressions)s AT TIME ZONE 'UTC')::text, ' ', 'T')"
        " || 'Z')"
    )
    output_field = CharField()


class _IsoDate(Func):
    template = "(%(expressions)s)::text"
    output_field = CharField()


def _text_sql(column: Column, labels: bool) -> Any:
    """SQL writing one column's value as CSV text; NULL stays NULL (an empty cell)."""
    expression = column.expression
    if column.kind == Kind.BOOL and not labels:
        return Cast(expression, TextField())  # PostgreSQL casts booleans to 'true' and 'false'
    if column.kind == Kind.BOOL:
        return Case(
            When(Exact(expression, True), then=Value("Yes")),
            When(Exact(expression, False), then=Value("No")),
            output_field=CharField(),
        )
    if column.kind == Kind.CHOICE and labels:
        return Case(
            *(When(Exact(expression, code), then=Value(label)) for code, label in column.choices),
            default=expression,
            output_field=CharField(),
        )
    if column.kind == Kind.TEXT:
        return _neutralised_sql(expression)
    if column.kind == Kind.DATETIME:
        return _UtcIso(expression)
    if column.kind == Kind.DATE:
        return _IsoDate(expression)
    return expression


def copy_query(export: Export, *, formatted: bool = True) -> tuple[str, tuple[Any, ...]]:
    """The export query as SQL for COPY: every column as CSV text, or as stored (`formatted`
    False: the benchmark's baseline, the same rows and joins)."""
    export_columns = columns(export.options)
    if formatted:
        expressions = [_text_sql(column, export.options.labels) for column in export_columns]
    else:
        expressions = [column.expression for column in export_columns]
    sql, params = _select(export, expressions).query.sql_with_params()
    return sql, tuple(params)


def header(export: Export) -> list[str]:
    return [column.name for column in columns(export.options)]


def csv_chunks(export: Export) -> Iterator[bytes]:
    """The CSV file in pieces of about CHUNK_BYTES: a header row, then COPY of the query."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header(export))
    yield out.getvalue().encode()
    sql, params = copy_query(export)
    buffer = bytearray()
    with transaction.atomic(), connection.cursor() as wrapper:
        # dates as YYYY-MM-DD whatever the server's default, for _UtcIso and _IsoDate
        wrapper.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        # psycopg's own cursor: Django's debug wrapper (DEBUG on) passes no parameters to COPY
        with wrapper.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
    if buffer:
        yield bytes(buffer)


# XLSX: the typed rows into a write-only workbook -------------------------------------------------


def _cell_writer(column: Column, labels: bool) -> Callable[[Any], Any]:
    """How one column's typed value becomes a spreadsheet cell: real numbers and dates."""
    if column.kind == Kind.BOOL:
        if labels:
            return lambda value: None if value is None else ("Yes" if value else "No")
        return lambda value: value
    if column.kind == Kind.CHOICE and labels:
        names = dict(column.choices)
        return lambda value: None if value is None else names.get(value, value)
    if column.kind == Kind.TEXT:
        return lambda value: None if value is None else neutralise(value)
    if column.kind == Kind.DATETIME:
        # Excel has no time zones: write the UTC wall time, as the Columns sheet says
        return lambda value: (
            None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        )
    if column.kind == Kind.AGE:
        return lambda value: int(value) if isinstance(value, str) and value.isdigit() else value
    return lambda value: value


def _codes_and_labels(column: Column) -> str:
    if column.kind == Kind.BOOL:
        return "true = Yes; false = No; empty = not asked"
    if column.kind == Kind.CHOICE:
        return "; ".join(f"{code} = {label}" for code, label in column.choices)
    return ""


def write_xlsx(export: Export, target: IO[bytes]) -> int:
    """Write the workbook (a Visits sheet and a Columns sheet) to `target`; return the rows."""
    labels = export.options.labels
    export_columns = columns(export.options)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Visits")
    sheet.freeze_panes = "A2"  # write-only sheets take panes only before the first row
    bold = Font(bold=True)
    sheet.append([_bold(sheet, column.name, bold) for column in export_columns])
    writers = [_cell_writer(column, labels) for column in export_columns]
    count = 0
    for row in rows(export):
        sheet.append([write(value) for write, value in zip(writers, row, strict=True)])
        count += 1
    about = workbook.create_sheet("Columns")
    about.freeze_panes = "A2"
    for width, letter in zip((26, 12, 70, 14, 70), "ABCDE", strict=True):
        about.column_dimensions[letter].width = width
    titles = ("Column", "Group", "Description (item wording)", "MIDUS variable", "Codes and labels")
    about.append([_bold(about, title, bold) for title in titles])
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in export_columns:
        cells = (
            column.name,
            column.group,
            column.description,
            column.midus,
            _codes_and_labels(column),
        )
        about.append([_wrapped(about, text, wrap) for text in cells])
    workbook.save(target)
    return count


def _bold(sheet: Any, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _wrapped(sheet: Any, text: str, alignment: Alignment) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.alignment = alignment
    return cell
