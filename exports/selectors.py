"""The one export query: which visits, joined to patient and clinician, in file order.

Each export is one SELECT, defined once here (filters, joins, one expression per column). The
typed row generator `rows()` runs it through a server-side cursor and feeds the XLSX and FHIR
builders; CSV runs the same SELECT through COPY (exports.csvfile). Memory stays flat on every
path (docs/exports.md, docs/benchmarks.md).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)

from config.replica import long_read_alias
from exports import deidentify
from exports.columns import columns
from exports.export import CHUNK_ROWS, UNRESOLVED, Dataset, Export, ExportFilters, Progress
from lib.dates import day_range
from screening.models import (
    Flag,
    FlagEvent,
    FlagEventAction,
    FlagStatus,
    RecordedInstrument,
    Visit,
)

# Which visits ------------------------------------------------------------------------------


def export_visits(filters: ExportFilters) -> QuerySet[Visit]:
    """The visits an export covers; the date range is in the clinic's time zone, both ends in."""
    start, end = day_range(filters.date_from, filters.date_to)
    visits = Visit.objects.filter(visit_at__gte=start, visit_at__lt=end)
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


def export_instruments(filters: ExportFilters) -> QuerySet[RecordedInstrument]:
    """The recorded instruments an export covers, by when they were administered (clinic's
    dates, both ends in); the visit filters on the criteria do not apply to them."""
    start, end = day_range(filters.date_from, filters.date_to)
    recorded = RecordedInstrument.objects.filter(
        administered_at__gte=start, administered_at__lt=end
    )
    as_of = Q(recorded_at__lte=filters.as_of) if filters.as_of else Q()
    recorded = recorded.filter(as_of)
    if filters.clinician_id is not None:
        recorded = recorded.filter(clinician_id=filters.clinician_id)
    if filters.instrument:
        recorded = recorded.filter(instrument=filters.instrument)
    if filters.current_only:
        # current until an amendment (recorded by `as_of`) points to it, as for visits
        newer = RecordedInstrument.objects.filter(as_of, amends=OuterRef("pk"))
        recorded = recorded.filter(~Exists(newer))
    if filters.flag_kind:
        recorded = recorded.filter(flag__kind=filters.flag_kind)
    if filters.flag_status == UNRESOLVED:
        recorded = recorded.filter(flag__isnull=False).exclude(flag__status=FlagStatus.RESOLVED)
    elif filters.flag_status:
        recorded = recorded.filter(flag__status=filters.flag_status)
    return recorded


def count_rows(export: Export) -> int:
    """How many rows the export writes: visits or recorded instruments."""
    if export.options.dataset == Dataset.INSTRUMENTS:
        return export_instruments(export.filters).count()
    return count_visits(export.filters)


# The query, typed and as text ------------------------------------------------------------------


def _alias(index: int) -> str:
    return f"export_{index}"  # never a model field name, so annotations cannot collide


def export_query(
    export: Export,
    expressions: list[Any],
    *,
    by_patient: bool = False,
) -> QuerySet[Any]:
    """The one export query: filtered visits (or recorded instruments) joined to patient and
    clinician, in file order."""
    aliases = [_alias(index) for index in range(len(expressions))]
    base: QuerySet[Any]
    if export.options.dataset == Dataset.INSTRUMENTS:
        base, moment = export_instruments(export.filters), "administered_at"
    else:
        base, moment = export_visits(export.filters), "visit_at"
    found = base.annotate(**dict(zip(aliases, expressions, strict=True)))
    if export.options.deidentified:
        # not by real date or id, which would leak the true order of shifted dates
        patient = deidentify.pseudonym_sql(deidentify.PATIENT, F("patient_id"))
        order: list[Any] = [patient, moment, "id"]
    elif by_patient:
        order = ["patient_id", moment, "id"]
    else:
        order = [moment, "id"]
    return found.order_by(*order).values_list(*aliases)


def rows(
    export: Export,
    *,
    extra: Mapping[str, Any] | None = None,
    by_patient: bool = False,
    progress: Progress | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The typed row generator: one tuple per visit (or instrument), `columns()` then `extra`,
    streamed;
    `progress` hears the rows read so far every CHUNK_ROWS rows, and once more when it ends
    (all of them, or as many as were read when it stopped early)."""
    expressions = [column.expression for column in columns(export.options)]
    expressions += list((extra or {}).values())
    alias = long_read_alias()  # the replica when there is a usable one (config/replica.py)
    query = export_query(export, expressions, by_patient=by_patient).using(alias)
    # inside a transaction the server-side cursor is not WITH HOLD, so PostgreSQL streams it
    # instead of materialising every row first
    with transaction.atomic(using=alias):
        if progress is None:
            yield from query.iterator(chunk_size=CHUNK_ROWS)
            return
        done = 0
        try:
            for row in query.iterator(chunk_size=CHUNK_ROWS):
                done += 1
                yield row
                if done % CHUNK_ROWS == 0:
                    progress(done)
        finally:
            progress(done)
