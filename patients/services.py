"""Patient writes and audited reads: registering, searching and opening a record (issue 5)."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

from audit.models import AuditAction
from audit.services import Actor, record_audit
from patients import charts, progress, selectors
from patients.models import Patient
from screening.instruments import Instrument
from screening.models import Flag, RecordedInstrument, Visit
from screening.questionnaire import BackacheFreq
from screening.rescreen import Rescreen
from screening.selectors import current_instruments, next_rescreen, open_flags, patient_instruments

PAGE_SIZE = 25
CHART_VISITS = 30
# A search counts its matches up to this many: "more than 1,000 patients match" asks for a
# narrower search, and the count never reads more than this many rows (issue 19, point 7).
SEARCH_COUNT_CAP = 1000
# Back-pain frequency as an ordinal, higher = more often (CRITERIA.md section 1); "refused" and
# "not asked" have no place on it and show as gaps.
BACKACHE_ORDINAL = {
    BackacheFreq.NOT_AT_ALL: (0, "None"),
    BackacheFreq.ONCE_A_MONTH: (1, "1/month"),
    BackacheFreq.SEVERAL_TIMES_A_MONTH: (2, "Few/month"),
    BackacheFreq.ONCE_A_WEEK: (3, "1/week"),
    BackacheFreq.SEVERAL_TIMES_A_WEEK: (4, "Few/week"),
    BackacheFreq.ALMOST_EVERY_DAY: (5, "Daily"),
}


class CappedPaginator(Paginator):
    """Pages of at most SEARCH_COUNT_CAP matches, counted with LIMIT SEARCH_COUNT_CAP + 1;
    `more` says there were more than that."""

    @cached_property
    def _counted(self) -> int:
        return self.object_list[: SEARCH_COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, SEARCH_COUNT_CAP)

    @property
    def more(self) -> bool:
        return self._counted > SEARCH_COUNT_CAP


@dataclass(frozen=True)
class SearchResults:
    """One page of patients matching a search."""

    query: str
    page: Page


@dataclass(frozen=True)
class PatientRecord:
    """What the patient page shows (issue 5, point 5)."""

    patient: Patient
    age: int
    open_flags: list[Flag]
    visits: Page
    charts: list[tuple[charts.LineChart, str, str]]  # chart, svg, data table
    instruments: list[RecordedInstrument] = field(default_factory=list)  # newest first
    next_rescreen: Rescreen | None = None  # when to screen for the other condition again
    progress_charts: list[progress.ProgressChart] = field(default_factory=list)  # PHQ-9, PEG


def register_patient(
    *,
    mrn: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex: str,
    education: str | None,
    earnings: str | None,
    actor: Actor,
) -> Patient:
    """A validated, saved patient with its PATIENT_CREATE audit row, or nothing."""
    with transaction.atomic(durable=True):
        return register_patient_in_transaction(
            mrn=mrn,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            sex=sex,
            education=education,
            earnings=earnings,
            actor=actor,
        )


def register_patient_in_transaction(
    *,
    mrn: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex: str,
    education: str | None,
    earnings: str | None,
    actor: Actor,
) -> Patient:
    """register_patient's work in the caller's transaction (a batch that registers patients and
    records their visits at once); raises ValidationError before writing anything."""
    patient = Patient(
        mrn=mrn,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        sex=sex,
        education=education,
        earnings=earnings,
        created_by=actor.user,
    )
    patient.full_clean()
    patient.save()
    record_audit(actor=actor, action=AuditAction.PATIENT_CREATE, obj=patient, patient=patient)
    return patient


def record_duplicates_shown(*, patients: list[Patient], actor: Actor) -> None:
    """The registration form warns of registered patients with the same name and date of birth,
    naming each with their MRN: one PATIENT_VIEW row for each, so their records say who saw them."""
    with transaction.atomic(durable=True):
        for patient in patients:
            record_audit(
                actor=actor,
                action=AuditAction.PATIENT_VIEW,
                obj=patient,
                patient=patient,
                detail={"form": "registration_duplicate"},
            )


def search_patients(*, query: str, page_number: int | str | None, actor: Actor) -> SearchResults:
    """A page of matches (any page number the URL carried: not a number means the first); the
    audit row keeps what kind of search it was, never the entry."""
    with transaction.atomic(durable=True):
        matches = selectors.search_patients(query).order_by("family_name", "given_name", "id")
        page = CappedPaginator(matches, PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        record_audit(
            actor=actor,
            action=AuditAction.PATIENT_SEARCH,
            detail={
                "by": selectors.search_kind(query),
                "results": page.paginator.count,
                "page": page.number,
            },
        )
    return SearchResults(query=query, page=page)


def open_patient_record(
    *, patient_id: int, actor: Actor, page_number: int | str | None = 1
) -> PatientRecord:
    """The patient's record, with the view audited (PATIENT_VIEW); raises Patient.DoesNotExist."""
    with transaction.atomic(durable=True):
        patient = Patient.objects.select_related("created_by").get(pk=patient_id)
        record_audit(actor=actor, action=AuditAction.PATIENT_VIEW, obj=patient, patient=patient)
        visits = Paginator(selectors.patient_visits(patient_id), PAGE_SIZE).get_page(page_number)
        visits.object_list = list(visits.object_list)
        # the chart plots what stands: a visit replaced by an amendment is left out
        current = list(selectors.patient_visits(patient_id).filter(is_amended=False)[:CHART_VISITS])
        flags = list(open_flags(patient_id))
        instruments = patient_instruments(patient_id)
        rescreen = next_rescreen(patient_id)
        followed = progress.progress_charts(
            list(current_instruments(patient_id, Instrument.PHQ9)),
            list(current_instruments(patient_id, Instrument.LBP_PEG)),
        )
    return PatientRecord(
        instruments=instruments,
        patient=patient,
        age=patient.age_on(timezone.localdate()),
        open_flags=flags,
        visits=visits,
        charts=[
            (chart, charts.line_chart(chart), charts.data_table(chart, "Visit"))
            for chart in timeline_charts(list(reversed(current)))
        ],
        next_rescreen=rescreen,
        progress_charts=followed,
    )


def timeline_charts(visits: list[Visit]) -> list[charts.LineChart]:
    """Symptom count and back-pain frequency over the given visits (oldest first)."""
    if not visits:
        return []
    labels = [timezone.localtime(visit.visit_at).strftime("%Y-%m-%d") for visit in visits]
    xs = [visit.visit_at.timestamp() for visit in visits]
    count, backache = [], []
    for x, visit, label in zip(xs, visits, labels, strict=True):
        name = f"Visit {visit.pk}, {label}"
        path = visit.get_path_display().lower()
        count.append(charts.Point(x, visit.symptom_count, name, f"{visit.symptom_count} ({path})"))
        value, short = BACKACHE_ORDINAL.get(visit.backache_freq_30d, (None, "not recorded"))
        text = visit.get_backache_freq_30d_display() or short
        backache.append(charts.Point(x, value, name, text))
    picks = sorted({0, len(visits) // 2, len(visits) - 1})
    x_ticks = tuple(charts.Tick(xs[i], labels[i]) for i in picks)
    span = f"{len(visits)} visit(s) from {labels[0]} to {labels[-1]}"
    last = visits[-1]
    return [
        charts.LineChart(
            chart_id="chart-symptoms",
            title="Depression symptom count by visit",
            description=(
                f"{span}. Symptom count on the path entered (0-7); 4 or more meets the "
                f"major-depression criterion. Latest: {last.symptom_count}."
            ),
            y_label="Symptoms (0-7)",
            y_min=0,
            y_max=7,
            y_ticks=tuple(charts.Tick(n, str(n)) for n in range(8)),
            x_ticks=x_ticks,
            series=(charts.Series("Symptom count", "a", tuple(count)),),
            threshold=charts.Tick(4, "cut-off 4"),
            x_label="Visit date",
        ),
        charts.LineChart(
            chart_id="chart-backache",
            title="Back-pain frequency in the past 30 days by visit",
            description=(
                f"{span}. Backache frequency from none to almost every day; several times a "
                f"week or more meets the back-pain criterion. Latest: "
                f"{backache[-1].y_label.lower()}."
            ),
            y_label="Backaches (past 30 days)",
            y_min=0,
            y_max=5,
            y_ticks=tuple(charts.Tick(v, short) for v, short in BACKACHE_ORDINAL.values()),
            x_ticks=x_ticks,
            series=(charts.Series("Backache frequency", "b", tuple(backache)),),
            threshold=charts.Tick(4, "criterion"),
            x_label="Visit date",
        ),
    ]
