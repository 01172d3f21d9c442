"""Reads that pages and benchmarks share: the review queue and a review case.

The joins (select_related) are set here, so a page's query count is fixed in one place and does
not grow with its page size.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from lib.dates import day_range
from patients.selectors import search_patients
from screening import criteria, followup, questionnaire, rescreen
from screening import selectors as screening_selectors
from screening.models import (
    Flag,
    FlagEvent,
    FlagEventAction,
    FlagKind,
    FlagPriority,
    FlagStatus,
    RecordedInstrument,
    Visit,
)
from screening.rescreen import Rescreen
from screening.selectors import latest_flag_instrument, unclaimed_safety_flags

UNRESOLVED = "unresolved"
STATUS_CHOICES = (
    (UNRESOLVED, "Unresolved"),
    (FlagStatus.OPEN.value, "Open"),
    (FlagStatus.IN_REVIEW.value, "In review"),
    (FlagStatus.RESOLVED.value, "Resolved"),
)
ANYONE, MINE, UNASSIGNED = "anyone", "mine", "unassigned"
ASSIGNEE_CHOICES = ((ANYONE, "Anyone"), (MINE, "Assigned to me"), (UNASSIGNED, "Unassigned"))
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
LATER_VISITS_SHOWN = 50

PRIORITY_BADGES = {
    FlagPriority.URGENT: "text-bg-danger",
    FlagPriority.COMORBID: "text-bg-warning",
    FlagPriority.RAISED: "text-bg-info",
    FlagPriority.ROUTINE: "text-bg-secondary",
}

# Resolved flags are history that grows without bound: they are listed newest first (on the
# opened_at index) and counted up to this many per kind, so the page costs the same at any size.
RESOLVED_COUNT_CAP = 1000

_CURSOR_SALT = "screening.review-queue-cursor"
# the queue order: most urgent first (SAFETY is URGENT), then oldest, then id as the tie-break
_QUEUE_ORDER = ("-priority", "opened_at", "id")
_QUEUE_ORDER_BACKWARD = ("priority", "-opened_at", "-id")
_HISTORY_ORDER = ("-opened_at", "-id")
_HISTORY_ORDER_BACKWARD = ("opened_at", "id")


@dataclass(frozen=True)
class QueueFilters:
    """What the reviewer narrowed the queue to; the defaults show every unresolved flag."""

    kind: str = ""
    status: str = UNRESOLVED
    assignee: str = ANYONE
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    # a patient search (MRN part or name words, as patient search matches them): PHI, so kept
    # out of the repr and of as_dict; only whether there is one reaches the audit row
    patient_search: str = field(default="", repr=False)

    def as_dict(self) -> dict[str, str | bool]:
        """JSON-ready, for the detail of the queue's audit rows: codes and dates only."""
        return {
            "patient_search": bool(self.patient_search),
            "kind": self.kind,
            "status": self.status,
            "assignee": self.assignee,
            "opened_from": self.opened_from.isoformat() if self.opened_from else "",
            "opened_to": self.opened_to.isoformat() if self.opened_to else "",
        }


@dataclass(frozen=True)
class Cursor:
    """A row's place in the queue order, and which page beside it to show.

    Its token holds only the sort key (priority, opened time, id) and a page number: no PHI.
    """

    priority: int
    opened_at: dt.datetime
    flag_id: int
    before: bool  # True: the page that ends just before this row; False: the page after it
    page: int

    def token(self) -> str:
        key = [self.priority, self.opened_at.isoformat(), self.flag_id, self.before, self.page]
        return signing.dumps(key, salt=_CURSOR_SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> "Cursor | None":
        """The cursor a token names, or None for a missing, altered or malformed token."""
        if not token:
            return None
        try:
            priority, opened_at, flag_id, before, page = signing.loads(token, salt=_CURSOR_SALT)
            opened = dt.datetime.fromisoformat(opened_at)
            return cls(int(priority), opened, int(flag_id), bool(before), max(int(page), 1))
        except (signing.BadSignature, ValueError, TypeError):
            return None

    @classmethod
    def at(cls, flag: Flag, *, before: bool, page: int) -> "Cursor":
        return cls(flag.priority, flag.opened_at, flag.pk, before, page)


def age_label(age: dt.timedelta) -> str:
    """How long a flag has waited, in its largest whole unit: '3 days', '5 hours', '1 minute'."""
    seconds = max(int(age.total_seconds()), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"


class _Prioritised:
    """A flag shown with its priority's short name and badge colour."""

    flag: Flag

    @property
    def priority_label(self) -> str:
        """The priority's short name (Urgent, Comorbid, Raised, Routine)."""
        return priority_label(self.flag.priority)

    @property
    def priority_badge(self) -> str:
        return PRIORITY_BADGES[self.flag.priority]


@dataclass(frozen=True)
class QueueRow(_Prioritised):
    flag: Flag
    overdue: bool
    age: str
    overdue_since: dt.datetime | None = None


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int
    capped: bool = False  # there are more than `count` (resolved flags only)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, with the total and per-kind counts under the same filters."""

    rows: list[QueueRow]
    total: int  # a lower bound when total_capped
    kind_counts: list[KindCount]  # every kind, under all filters but the kind filter
    number: int
    size: int
    next: Cursor | None
    previous: Cursor | None

    total_capped: bool = False
    history: bool = False  # resolved flags, newest first

    @property
    def all_kinds_total(self) -> int:
        return sum(c.count for c in self.kind_counts)

    @property
    def all_kinds_capped(self) -> bool:
        return any(c.capped for c in self.kind_counts)

    @property
    def first_row_number(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_row_number(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def priority_label(priority: int) -> str:
    """A priority's short name: Urgent, Comorbid, Raised or Routine."""
    return str(FlagPriority(priority).label).split(":")[0]


def overdue_since(flag: Flag, now: dt.datetime) -> dt.datetime | None:
    """When an overdue flag became overdue (see is_overdue), or None if it is not overdue."""
    if not is_overdue(flag, now):
        return None
    if flag.kind == FlagKind.SAFETY:
        return flag.opened_at + dt.timedelta(hours=settings.SAFETY_FLAG_OVERDUE_HOURS)
    return flag.opened_at + dt.timedelta(days=settings.FLAG_OVERDUE_DAYS)


def is_overdue(flag: Flag, now: dt.datetime) -> bool:
    """An unresolved SAFETY flag older than SAFETY_FLAG_OVERDUE_HOURS, any other older than
    FLAG_OVERDUE_DAYS (settings; DESIGN.md review queue)."""
    if flag.status == FlagStatus.RESOLVED:
        return False
    if flag.kind == FlagKind.SAFETY:
        limit = dt.timedelta(hours=settings.SAFETY_FLAG_OVERDUE_HOURS)
    else:
        limit = dt.timedelta(days=settings.FLAG_OVERDUE_DAYS)
    return now - flag.opened_at > limit


def _filter_q(filters: QueueFilters, user: Any) -> Q:
    """Every filter but the kind, as one condition."""
    unresolved = ~Q(status=FlagStatus.RESOLVED)  # the predicate of the flag_queue_order index
    if filters.status == FlagStatus.RESOLVED:
        q = Q(status=FlagStatus.RESOLVED)
    elif filters.status in (FlagStatus.OPEN, FlagStatus.IN_REVIEW):
        q = unresolved & Q(status=filters.status)
    else:
        q = unresolved
    if filters.assignee == MINE:
        q &= Q(assignee=user)
    elif filters.assignee == UNASSIGNED:
        q &= Q(assignee__isnull=True)
    start, end = day_range(filters.opened_from, filters.opened_to)
    if start is not None:
        q &= Q(opened_at__gte=start)
    if end is not None:
        q &= Q(opened_at__lt=end)
    if filters.patient_search:
        q &= Q(patient__in=search_patients(filters.patient_search).values("pk"))
    return q


def _beyond(cursor: Cursor, *, history: bool) -> Q:
    """Rows after the cursor in list order (before it when cursor.before), for keyset paging.

    The queue order mixes directions, so it is spelled out per column rather than as a row
    comparison; the leading bound on priority lets the index scan start at the cursor.
    """
    p, t, i = cursor.priority, cursor.opened_at, cursor.flag_id
    if history:  # newest first
        if cursor.before:
            return Q(opened_at__gt=t) | Q(opened_at=t, id__gt=i)
        return Q(opened_at__lt=t) | Q(opened_at=t, id__lt=i)
    if cursor.before:
        return Q(priority__gte=p) & (
            Q(priority__gt=p) | Q(opened_at__lt=t) | Q(opened_at=t, id__lt=i)
        )
    return Q(priority__lte=p) & (Q(priority__lt=p) | Q(opened_at__gt=t) | Q(opened_at=t, id__gt=i))


def _kind_counts(base: Q, *, history: bool) -> list[KindCount]:
    if not history:  # an index-only scan of the unresolved flags' unique index
        found = Flag.objects.filter(base).values_list("kind").annotate(n=Count("*")).order_by()
        counts = dict(found)
        return [KindCount(code, label, counts.get(code, 0)) for code, label in FlagKind.choices]
    capped = []
    for code, label in FlagKind.choices:
        found = Flag.objects.filter(base, kind=code).order_by()[: RESOLVED_COUNT_CAP + 1].count()
        capped.append(
            KindCount(code, label, min(found, RESOLVED_COUNT_CAP), found > RESOLVED_COUNT_CAP)
        )
    return capped


def _rows(where: Q, cursor: Cursor | None, size: int, *, history: bool) -> list[Flag]:
    flags = (
        Flag.objects.filter(where)
        .select_related("patient", "assignee")
        .only(
            "kind",
            "priority",
            "status",
            "patient_reported",
            "opened_at",
            "outcome",
            "resolved_at",
            "patient__given_name",
            "patient__family_name",
            "patient__mrn",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
    )
    backward = cursor is not None and cursor.before
    if cursor is not None:
        flags = flags.filter(_beyond(cursor, history=history))
    if history:
        order = _HISTORY_ORDER_BACKWARD if backward else _HISTORY_ORDER
    else:
        order = _QUEUE_ORDER_BACKWARD if backward else _QUEUE_ORDER
    return list(flags.order_by(*order)[: size + 1])


def review_queue(
    *,
    filters: QueueFilters,
    user: Any,
    cursor: Cursor | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    now: dt.datetime | None = None,
) -> QueuePage:
    """A page of flags with keyset paging, in queue order (resolved flags: newest first); the
    query count does not depend on the page size, and a flag inserted meanwhile never moves rows
    between pages already seen."""
    now = now or timezone.now()
    history = filters.status == FlagStatus.RESOLVED
    base = _filter_q(filters, user)
    kind_counts = _kind_counts(base, history=history)
    where = base & Q(kind=filters.kind) if filters.kind else base
    chosen = [c for c in kind_counts if not filters.kind or c.kind == filters.kind]

    flags = _rows(where, cursor, size, history=history)
    more = len(flags) > size
    flags = flags[:size]
    if cursor is not None and cursor.before:
        flags.reverse()
        if not more and len(flags) < size:
            # rows left the queue since the later page was drawn: start again from the top
            return review_queue(filters=filters, user=user, size=size, now=now)
        number = cursor.page if more else 1
        previous = Cursor.at(flags[0], before=True, page=number - 1) if more else None
        following = Cursor.at(flags[-1], before=False, page=number + 1) if flags else None
    else:
        number = cursor.page if cursor is not None else 1
        previous = Cursor.at(flags[0], before=True, page=number - 1) if flags and cursor else None
        following = Cursor.at(flags[-1], before=False, page=number + 1) if more else None

    return QueuePage(
        rows=[
            QueueRow(
                flag,
                is_overdue(flag, now),
                age_label(now - flag.opened_at),
                overdue_since(flag, now),
            )
            for flag in flags
        ],
        total=sum(c.count for c in chosen),
        total_capped=any(c.capped for c in chosen),
        history=history,
        kind_counts=kind_counts,
        number=number,
        size=size,
        next=following,
        previous=previous,
    )


NEEDS_ACTION_SHOWN = 25


def needs_action_now(*, now: dt.datetime | None = None) -> list[QueueRow]:
    """Unclaimed SAFETY flags, newest first: shown above the rest of the queue (one query)."""
    now = now or timezone.now()
    flags = unclaimed_safety_flags().select_related("patient")[:NEEDS_ACTION_SHOWN]
    return [
        QueueRow(
            flag, is_overdue(flag, now), age_label(now - flag.opened_at), overdue_since(flag, now)
        )
        for flag in flags
    ]


def queue_cursor_for_page(
    *, filters: QueueFilters, user: Any, page: int, size: int = DEFAULT_PAGE_SIZE
) -> Cursor | None:
    """The cursor that opens page `page` (walking the keyset; for benchmarks and tests)."""
    cursor = None
    for _ in range(page - 1):
        found = review_queue(filters=filters, user=user, cursor=cursor, size=size).next
        if found is None:
            return cursor
        cursor = found
    return cursor


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    answer: str


@dataclass(frozen=True)
class Case(_Prioritised):
    """Everything the case page shows about one flag."""

    flag: Flag
    overdue: bool
    visit: Visit  # the visit that raised the flag
    answers: list[AnswerRow]  # the items asked at that visit, in questionnaire order
    explanation: list[str]  # criteria.explain: which answers met or failed which rule
    later_visits: list[Visit]  # the patient's visits after it, oldest first
    more_later_visits: bool
    events: list[FlagEvent]  # the case history, oldest first
    overdue_since: dt.datetime | None = None
    measure: "Measure | None" = None  # the instrument the outcome would rest on

    @property
    def raised_by_instrument(self) -> bool:
        """Opened by a recorded instrument (a PHQ-9's item 9): its events name no visit, and
        `visit` is only the screen before it."""
        return any(e.action == FlagEventAction.OPENED and e.visit_id is None for e in self.events)

    @property
    def instrument_code(self) -> str:
        """The instrument this flag's kind asks for (INSTRUMENTS.md sections 1-3)."""
        return followup.INSTRUMENT_FOR_KIND[self.flag.kind].value

    @property
    def instrument_label(self) -> str:
        return followup.INSTRUMENT_FOR_KIND[self.flag.kind].label


@dataclass(frozen=True)
class Measure:
    """The instrument recorded against a case, as the case page shows it beside the outcome
    choice, with the outcome it suggests (INSTRUMENTS.md section 4)."""

    recorded: RecordedInstrument
    summary: str
    banner: followup.Banner | None
    suggested_outcome: str | None


def case_measure(flag: Flag) -> Measure | None:
    """The latest instrument recorded against the flag, with its summary, banner and
    suggestion, or None when the case is unmeasured."""
    recorded = latest_flag_instrument(flag.pk)
    if recorded is None:
        return None
    return Measure(
        recorded=recorded,
        summary=followup.summary(recorded.instrument, recorded.result),
        banner=followup.banner(recorded.instrument, recorded.result),
        suggested_outcome=followup.suggested_outcome(
            flag.kind, recorded.instrument, recorded.result
        ),
    )


def _answers(visit: Visit) -> tuple[list[AnswerRow], list[str]]:
    values = {key: getattr(visit, key) for key in questionnaire.ANSWER_KEYS}
    rows = []
    for key, item in questionnaire.ITEMS.items():
        value = values[key]
        if value is None:
            continue  # not asked (or not answered): the skip logic's NULL
        label = dict(item.choices)[value] if item.choices else ("Yes" if value else "No")
        rows.append(AnswerRow(key, item.text, label))
    try:
        explanation = criteria.explain(values, criteria.classify(values))
    except criteria.InvalidAnswers as exc:
        explanation = [f"These answers cannot be classified: {exc}"]
    return rows, explanation


def flag_case(*, flag_id: int, now: dt.datetime | None = None) -> Case:
    """The flag with its patient, visits, answers, history and latest instrument in four
    queries, whatever the history's length; raises Flag.DoesNotExist."""
    flag = Flag.objects.select_related("patient", "visit", "assignee", "resolved_by").get(
        pk=flag_id
    )
    later = list(
        Visit.objects.filter(patient_id=flag.patient_id, visit_at__gt=flag.visit.visit_at)
        .exclude(pk=flag.visit_id)
        .order_by("visit_at", "id")[: LATER_VISITS_SHOWN + 1]
    )
    events = list(FlagEvent.objects.filter(flag=flag).select_related("actor", "visit"))
    answers, explanation = _answers(flag.visit)
    return Case(
        flag=flag,
        overdue=is_overdue(flag, now or timezone.now()),
        overdue_since=overdue_since(flag, now or timezone.now()),
        visit=flag.visit,
        answers=answers,
        explanation=explanation,
        later_visits=later[:LATER_VISITS_SHOWN],
        more_later_visits=len(later) > LATER_VISITS_SHOWN,
        events=events,
        measure=case_measure(flag),
    )


# The patient page and the CDS Hooks card read the same rule as the list; it lives with the
# visits (screening), which the patient page may import, and is named here for the review step.
next_rescreen = screening_selectors.next_rescreen
RESCREEN_PAGE_SIZE = 25
_RESCREEN_CURSOR_SALT = "review.rescreen-cursor"


@dataclass(frozen=True)
class RescreenCursor:
    """A row's place in the re-screen list (its visit's time and id) and the page beside it.

    Its token holds only a visit time, a visit id and a page number: no PHI.
    """

    visit_at: dt.datetime
    visit_id: int
    before: bool
    page: int

    def token(self) -> str:
        key = [self.visit_at.isoformat(), self.visit_id, self.before, self.page]
        return signing.dumps(key, salt=_RESCREEN_CURSOR_SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> "RescreenCursor | None":
        """The cursor a token names, or None for a missing, altered or malformed token."""
        if not token:
            return None
        try:
            visit_at, visit_id, before, page = signing.loads(token, salt=_RESCREEN_CURSOR_SALT)
            return cls(
                dt.datetime.fromisoformat(visit_at), int(visit_id), bool(before), max(int(page), 1)
            )
        except (signing.BadSignature, ValueError, TypeError):
            return None

    @classmethod
    def at(cls, visit: Visit, *, before: bool, page: int) -> "RescreenCursor":
        return cls(visit.visit_at, visit.pk, before, page)


@dataclass(frozen=True)
class RescreenRow:
    visit: Visit  # the patient's latest current visit, with its patient
    rescreen: Rescreen


@dataclass(frozen=True)
class RescreenPage:
    rows: list[RescreenRow]
    number: int
    next: RescreenCursor | None
    previous: RescreenCursor | None


def rescreen_due_visits(today: dt.date) -> QuerySet[Visit]:
    """Each due patient's latest current visit, most overdue (oldest) first.

    A visit is listed when it met exactly one criterion, is old enough (rescreen.cutoff), stands
    (no amendment replaces it) and no later visit of the patient stands. Served from the
    visit_at index in list order, with index probes per row on visit_patient_time and
    visit_amends, so a page reads a few hundred rows at any table size (docs/rescreen.md).
    """
    _, end = day_range(None, rescreen.cutoff(today, settings.RESCREEN_INTERVAL_MONTHS))
    later_current = Visit.objects.filter(
        screening_selectors.is_current(),
        Q(visit_at__gt=OuterRef("visit_at"))
        | Q(visit_at=OuterRef("visit_at"), id__gt=OuterRef("id")),
        patient_id=OuterRef("patient_id"),
    )
    return (
        Visit.objects.filter(
            screening_selectors.is_current(), ~Exists(later_current), visit_at__lt=end
        )
        .exclude(back_pain=F("major_depression"))
        .select_related("patient")
        .only(
            "id",
            "visit_at",
            "back_pain",
            "major_depression",
            "patient__id",
            "patient__mrn",
            "patient__given_name",
            "patient__family_name",
        )
    )


def rescreen_due(
    *,
    cursor: RescreenCursor | None = None,
    size: int = RESCREEN_PAGE_SIZE,
    today: dt.date | None = None,
) -> RescreenPage:
    """A page of patients due or overdue for re-screening of the other condition, most overdue
    first, with keyset paging: one query, starting at the cursor, at any page and table size."""
    today = today or timezone.localdate()
    visits = rescreen_due_visits(today)
    if cursor is not None:
        # the bound on visit_at alone lets the index scan start at the cursor, not the list's top
        t, i = cursor.visit_at, cursor.visit_id
        if cursor.before:
            visits = visits.filter(Q(visit_at__lt=t) | Q(id__lt=i), visit_at__lte=t).order_by(
                "-visit_at", "-id"
            )
        else:
            visits = visits.filter(Q(visit_at__gt=t) | Q(id__gt=i), visit_at__gte=t).order_by(
                "visit_at", "id"
            )
    else:
        visits = visits.order_by("visit_at", "id")
    found = list(visits[: size + 1])
    more = len(found) > size
    found = found[:size]
    if cursor is not None and cursor.before:
        found.reverse()
        if not more and len(found) < size:
            # patients left the list since the later page was drawn: start again from the top
            return rescreen_due(size=size, today=today)
        number = cursor.page if more else 1
        previous = RescreenCursor.at(found[0], before=True, page=number - 1) if more else None
        following = RescreenCursor.at(found[-1], before=False, page=number + 1) if found else None
    else:
        number = cursor.page if cursor is not None else 1
        previous = (
            RescreenCursor.at(found[0], before=True, page=number - 1) if found and cursor else None
        )
        following = RescreenCursor.at(found[-1], before=False, page=number + 1) if more else None
    # the query keeps only visits that met exactly one criterion, so each has its re-screen
    rows = [
        RescreenRow(visit, due)
        for visit in found
        if (due := screening_selectors.rescreen_for(visit, today)) is not None
    ]
    return RescreenPage(rows=rows, number=number, next=following, previous=previous)
