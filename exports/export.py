"""What one export is: its format, which rows (dataset and filters) and how they are written."""

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.db.models import (
    TextChoices,
)
from django.utils import timezone

from screening.models import (
    FlagStatus,
)

Choices = tuple[tuple[str, str], ...]

# How far a file has got: the rows written so far (for a command's or a job's progress).
Progress = Callable[[int], None]

CHUNK_ROWS = 2000  # rows per server-side cursor fetch
CHUNK_BYTES = 256 * 1024  # bytes per streamed piece of a CSV
EXCEL_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row (exports.xlsx splits)
UNRESOLVED = "unresolved"


class Format(TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    FHIR = "fhir", "FHIR R4 (NDJSON)"


class Dataset(TextChoices):
    """What one row of the file is: a visit, or a recorded instrument (ASQ, PHQ-9, LBP+PEG)."""

    VISITS = "visits", "Visits"
    INSTRUMENTS = "instruments", "Recorded instruments (ASQ, PHQ-9, LBP+PEG)"


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
    instrument: str = ""  # instruments only: one instrument's code, or any

    def for_audit(self) -> dict[str, Any]:
        """The filters as JSON: dates, codes and a user id, never PHI."""
        detail = asdict(self)
        detail["date_from"] = self.date_from.isoformat()
        detail["date_to"] = self.date_to.isoformat()
        detail["as_of"] = self.as_of.isoformat() if self.as_of else None
        return detail

    @classmethod
    def from_json(cls, detail: dict[str, Any]) -> "ExportFilters":
        """The filters for_audit() wrote (a queued job's)."""
        values = dict(detail)
        values["date_from"] = dt.date.fromisoformat(values["date_from"])
        values["date_to"] = dt.date.fromisoformat(values["date_to"])
        as_of = values.get("as_of")
        values["as_of"] = dt.datetime.fromisoformat(as_of) if as_of else None
        return cls(**values)


@dataclass(frozen=True)
class ExportOptions:
    """What a row is and how the rows are written."""

    dataset: str = Dataset.VISITS
    labels: bool = False
    midus_names: bool = False
    deidentified: bool = False
    dates: str = DateDetail.SHIFTED
    excel_bom: bool = False  # CSV: begin with UTF-8's byte-order mark, for Excel


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
        return f"{self.options.dataset}-{span}{kind}.{_EXTENSIONS[Format(self.format)]}"

    def as_of_now(self) -> "Export":
        """This export limited to the visits recorded by now, so a count made now still holds
        when the rows stream later."""
        return replace(self, filters=replace(self.filters, as_of=timezone.now()))

    def options_json(self) -> dict[str, Any]:
        """How the rows are written, but for `deidentified` (a job keeps that in its own field)."""
        options = asdict(self.options)
        options.pop("deidentified")
        return options

    def audit_detail(self, row_count: int) -> dict[str, Any]:
        """What the EXPORT audit row keeps: format, filters, options, count; never PHI."""
        options = asdict(self.options)
        deidentified = options.pop("deidentified")
        return {
            "dataset": options.pop("dataset"),
            "format": self.format,
            "filters": self.filters.for_audit(),
            "options": options,
            "row_count": row_count,
            "deidentified": deidentified,
        }


def rows_noun(dataset: str, count: int) -> str:
    """What the rows are called on the page and in messages: visits or instruments."""
    noun = "instrument" if dataset == Dataset.INSTRUMENTS else "visit"
    return noun if count == 1 else f"{noun}s"
