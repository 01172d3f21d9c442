"""CSV exports: the columns of the contract, codes or labels, filters, formula-safe cells, audit."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models import CharField, Value
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from audit.models import Audit, AuditAction
from exports.csvfile import csv_chunks
from exports.export import Export, ExportFilters, Format
from lib.spreadsheet import neutralise, neutralised_sql
from screening import criteria, questionnaire
from screening.models import FlagKind, FlagStatus, Visit
from tests.factories import FlagFactory, PatientFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

DEPRESSED = {
    "backache_freq_30d": "almost_every_day",
    "da_sad_2wk": "yes",
    "da_duration": "all_day_long",
    "da_frequency": "every_day",
    "da_lost_interest": True,
    "da_tired": True,
    "da_appetite_lost": False,
    "da_appetite_increased": True,
    "da_sleep_trouble": True,
    "da_sleep_frequency": "every_night",
    "da_concentration": False,
    "da_worthless": True,
    "da_death_thoughts": False,
}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


TODAY = timezone.localdate()


def download(client, **params) -> tuple[list[dict[str, str]], object]:
    query = {
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": "csv",
        "labels": "codes",
        "dates": "shifted",
        **params,
    }
    query = {key: value for key, value in query.items() if value is not None}
    response = client.get(reverse("exports:export_download"), query)
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    # the contract's bytes: the header first, no byte-order mark unless asked for (for Excel)
    assert content.startswith(b"\xef\xbb\xbf") == (params.get("excel_bom") == "on")
    body = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body))), response


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_header_follows_the_contract_when_downloaded(signed_in):
    VisitFactory()
    rows, response = download(signed_in)
    header = list(rows[0])
    assert header[: len(questionnaire.ANSWER_KEYS)] == list(questionnaire.ANSWER_KEYS)
    rest = header[len(questionnaire.ANSWER_KEYS) :]
    assert rest[:5] == [
        "back_pain",
        "major_depression",
        "path",
        "symptom_count",
        "criteria_version",
    ]
    for later in ("visit_id", "visit_at", "amends_visit_id", "clinician", "patient_id", "mrn"):
        assert later in rest
    assert rest[-8:] == [
        "presenting_concern",
        "antidepressant_use",
        "regular_exercise",
        "smoking",
        "alcohol",
        "height_cm",
        "weight_kg",
        "bmi",
    ]
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store, private"


def test_file_begins_with_the_header_or_the_mark_for_excel_when_asked(signed_in):
    VisitFactory(patient=PatientFactory(given_name="José"))
    download(signed_in)  # asserts the file starts with the header, no mark
    rows, _ = download(signed_in, excel_bom="on")  # asserts the mark
    assert rows[0]["given_name"] == "José"


def test_answers_are_codes_and_unasked_items_empty_when_codes_are_chosen(signed_in):
    patient = PatientFactory(date_of_birth=dt.date(1970, 6, 15), sex="female")
    visit = VisitFactory(
        patient=patient,
        answers=DEPRESSED,
        visit_at=at(TODAY - dt.timedelta(days=2)),
        height_cm=Decimal("170.0"),
        weight_kg=Decimal("72.5"),
        smoking="former",
    )
    (row,), _ = download(signed_in)
    assert row["backache_freq_30d"] == "almost_every_day"
    assert row["da_sad_2wk"] == "yes"
    assert row["da_lost_interest"] == "true"
    assert row["da_appetite_lost"] == "false"
    assert row["an_lost_interest_2wk"] == ""  # path B was not asked: empty, never "No"
    assert row["an_tired"] == ""
    assert row["back_pain"] == "true"
    assert row["major_depression"] == "true"
    assert row["path"] == "depressed_affect"
    assert row["symptom_count"] == "5"
    assert row["criteria_version"] == criteria.CRITERIA_VERSION
    assert row["visit_id"] == str(visit.pk)
    assert row["visit_at"] == visit.visit_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row["mrn"] == patient.mrn
    assert row["date_of_birth"] == "1970-06-15"
    assert row["sex"] == "female"
    assert row["age_at_visit"] == str(patient.age_on(timezone.localdate(visit.visit_at)))
    assert row["height_cm"] == "170.0"
    assert row["bmi"] == "25.1"
    assert row["smoking"] == "former"
    assert row["antidepressant_use"] == ""


def test_labels_replace_codes_when_labels_are_chosen(signed_in):
    VisitFactory(answers=DEPRESSED, smoking="former")
    (row,), _ = download(signed_in, labels="labels")
    assert row["backache_freq_30d"] == "Almost every day"
    assert row["da_duration"] == "All day long"
    assert row["da_lost_interest"] == "Yes"
    assert row["da_appetite_lost"] == "No"
    assert row["an_tired"] == ""
    assert row["path"] == "Depressed affect"
    assert row["smoking"] == "Former regular smoker"
    assert row["education"] == "Some college or associate degree"


def test_answer_columns_carry_midus_names_when_requested(signed_in):
    VisitFactory(answers=DEPRESSED)
    (row,), _ = download(signed_in, midus_names="on")
    assert row["B1SA10B"] == "almost_every_day"
    assert row["B1PA60"] == "yes"
    assert row["B1PA72"] == ""
    assert "backache_freq_30d" not in row
    assert row["back_pain"] == "true"


def test_formula_text_is_neutralised_when_a_name_starts_like_a_formula(signed_in):
    patient = PatientFactory(
        given_name='=HYPERLINK("http://evil.example","x")',
        family_name="+cmd|' /C calc'!A0",
        mrn="-1234",
    )
    VisitFactory(patient=patient, clinician=UserFactory(username="@doc"))
    (row,), _ = download(signed_in)
    assert row["given_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["family_name"] == "'+cmd\\|' /C calc'!A0"
    assert row["clinician"] == "'@doc"
    assert row["mrn"] == "-1234"  # a plain number is not a formula: left as it is


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "-12.5", "1,234", "@SUM(A1)", "|x", "%x", "\tx", "\rx", "a=b", "", "-x|y"],
)
def test_sql_and_python_neutralise_agree_when_given(text):
    expression = neutralised_sql(Cast(Value(text), output_field=CharField()))
    # any table with a row will do: the role groups always exist
    in_sql = Group.objects.annotate(x=expression).values_list("x", flat=True).first()
    assert in_sql == neutralise(text)


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "-12.5", "1,234", "@SUM(A1)", "|x", "%x", "a=b", "-x|y", "=a\nb"]
)
def test_neutralise_follows_defusedcsv_when_the_text_does_not_start_with_tab_or_cr(text):
    from defusedcsv import csv as defused

    out = io.StringIO()
    defused.writer(out).writerow([text])
    (written,) = next(csv.reader(io.StringIO(out.getvalue())))
    assert neutralise(text) == written


def test_only_visits_in_the_date_range_are_exported_when_dates_are_given(signed_in):
    start, end = TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=5)
    inside = [VisitFactory(visit_at=at(start, 0)), VisitFactory(visit_at=at(end, 23))]
    VisitFactory(visit_at=at(start - dt.timedelta(days=1), 23))
    VisitFactory(visit_at=at(end + dt.timedelta(days=1), 0))
    rows, response = download(signed_in, date_from=start.isoformat(), date_to=end.isoformat())
    assert sorted(int(row["visit_id"]) for row in rows) == sorted(v.pk for v in inside)
    assert response["X-Export-Rows"] == "2"


def test_only_one_clinicians_visits_are_exported_when_filtered(signed_in, clinician):
    mine = VisitFactory(clinician=clinician)
    VisitFactory()
    rows, _ = download(signed_in, clinician=str(clinician.pk))
    assert [row["visit_id"] for row in rows] == [str(mine.pk)]
    assert rows[0]["clinician"] == clinician.username


def test_classification_filters_keep_matching_visits_when_chosen(signed_in):
    both = VisitFactory(answers=DEPRESSED)
    neither = VisitFactory()
    back_only = VisitFactory(
        answers={**criteria_negative(), "backache_freq_30d": "almost_every_day"}
    )
    ids = lambda rows: sorted(int(row["visit_id"]) for row in rows)  # noqa: E731
    assert ids(download(signed_in, back_pain="yes")[0]) == sorted([both.pk, back_only.pk])
    assert ids(download(signed_in, back_pain="no")[0]) == [neither.pk]
    assert ids(download(signed_in, major_depression="yes")[0]) == [both.pk]
    assert ids(download(signed_in, back_pain="yes", major_depression="no")[0]) == [back_only.pk]


def criteria_negative() -> dict[str, str]:
    return {"backache_freq_30d": "not_at_all", "da_sad_2wk": "no", "an_lost_interest_2wk": "no"}


def test_flag_filters_keep_visits_linked_to_matching_flags_when_chosen(signed_in, reviewer):
    safety = FlagFactory(kind=FlagKind.SAFETY).visit
    reviewing = FlagFactory(
        kind=FlagKind.ASSESS_DEPRESSION, status=FlagStatus.IN_REVIEW, assignee=reviewer
    ).visit
    resolved = FlagFactory(
        kind=FlagKind.ASSESS_DEPRESSION,
        status=FlagStatus.RESOLVED,
        outcome="not_present",
        resolved_at=timezone.now(),
    ).visit
    VisitFactory()
    ids = lambda rows: sorted(int(row["visit_id"]) for row in rows)  # noqa: E731
    assert ids(download(signed_in, flag_kind="safety")[0]) == [safety.pk]
    assert ids(download(signed_in, flag_kind="assess_depression")[0]) == sorted(
        [reviewing.pk, resolved.pk]
    )
    assert ids(download(signed_in, flag_status="unresolved")[0]) == sorted(
        [safety.pk, reviewing.pk]
    )
    assert ids(download(signed_in, flag_kind="assess_depression", flag_status="resolved")[0]) == [
        resolved.pk
    ]


def test_flag_filter_finds_a_later_visit_when_it_was_attached_to_the_flag(signed_in, reviewer):
    from screening.models import FlagEvent, FlagEventAction

    flag = FlagFactory(kind=FlagKind.ASSESS_DEPRESSION)
    later = VisitFactory(patient=flag.patient)
    FlagEvent.objects.create(
        flag=flag, actor=reviewer, action=FlagEventAction.ATTACHED, visit=later
    )
    rows, _ = download(signed_in, flag_kind="assess_depression")
    assert sorted(int(row["visit_id"]) for row in rows) == sorted([flag.visit_id, later.pk])


def test_amended_visits_are_left_out_when_current_only(signed_in):
    original = VisitFactory(visit_at=at(TODAY - dt.timedelta(days=3)))
    amendment = VisitFactory(patient=original.patient, amends=original, visit_at=original.visit_at)
    rows, _ = download(signed_in)
    assert [row["visit_id"] for row in rows] == [str(amendment.pk)]
    assert rows[0]["amends_visit_id"] == str(original.pk)
    rows, _ = download(signed_in, current_only=None)
    assert sorted(int(row["visit_id"]) for row in rows) == sorted([original.pk, amendment.pk])


def test_rows_are_in_visit_order_when_downloaded(signed_in):
    later = VisitFactory(visit_at=at(TODAY - dt.timedelta(days=1)))
    earlier = VisitFactory(visit_at=at(TODAY - dt.timedelta(days=9)))
    rows, _ = download(signed_in)
    assert [row["visit_id"] for row in rows] == [str(earlier.pk), str(later.pk)]


def test_export_is_audited_with_filters_and_count_but_no_phi_when_downloaded(
    signed_in, admin_user, clinician
):
    patient = PatientFactory(given_name="Zelda", family_name="Quixote", mrn="MRN-AUDIT-1")
    VisitFactory(patient=patient, clinician=clinician)
    VisitFactory(clinician=clinician)
    rows, response = download(signed_in, clinician=str(clinician.pk), back_pain="no")
    assert isinstance(response, StreamingHttpResponse)
    audit = Audit.objects.get(action=AuditAction.EXPORT)
    assert audit.actor == admin_user
    assert audit.detail["format"] == "csv"
    assert audit.detail["row_count"] == 2 == len(rows)
    assert audit.detail["deidentified"] is False
    assert audit.detail["filters"]["clinician_id"] == clinician.pk
    assert audit.detail["filters"]["back_pain"] is False
    assert audit.detail["filters"]["date_to"] == TODAY.isoformat()
    text = str(audit.detail)
    for phi in ("Zelda", "Quixote", "MRN-AUDIT-1", str(patient.date_of_birth)):
        assert phi not in text


def test_download_takes_the_last_30_days_when_the_link_has_no_choices(signed_in):
    recent = VisitFactory(visit_at=at(TODAY - dt.timedelta(days=29)))
    VisitFactory(visit_at=at(TODAY - dt.timedelta(days=45)))
    response = signed_in.get(reverse("exports:export_download"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["visit_id"] for row in rows] == [str(recent.pk)]


def test_visits_recorded_after_the_request_are_not_exported_when_the_stream_starts_later(
    signed_in,
):
    VisitFactory()
    response = signed_in.get(reverse("exports:export_download"))
    VisitFactory()  # recorded after the count was announced and audited
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(body)))) == 1 == int(response["X-Export-Rows"])


def test_invalid_dates_are_refused_with_the_reason_when_downloading(signed_in):
    response = signed_in.get(
        reverse("exports:export_download"),
        {"date_from": "2026-02-01", "date_to": "2026-01-01", "format": "csv", "labels": "codes",
         "dates": "shifted"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    assert not Audit.objects.filter(action=AuditAction.EXPORT).exists()


def test_csv_is_one_query_whatever_the_rows_when_queries_are_logged(signed_in):
    """With query logging on (as under DEBUG), the COPY still runs, and no query runs per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    VisitFactory()
    download(signed_in)  # the first request of a session also loads the user's permissions
    with CaptureQueriesContext(connection) as few:
        download(signed_in)
    for _ in range(5):
        VisitFactory()
    with CaptureQueriesContext(connection) as many:
        rows, _ = download(signed_in)
    assert len(rows) == 6
    assert len(many) == len(few)


def test_database_stays_usable_when_a_download_is_abandoned_midway(signed_in):
    """A browser that goes away closes the stream (the WSGI server closes the response, which
    closes the generator) in the middle of the COPY: it is cancelled, the connection lives on."""
    patient = PatientFactory(given_name="G" * 100, family_name="F" * 100)
    VisitFactory.create_batch(800, patient=patient, clinician=UserFactory())
    export = Export(Format.CSV, ExportFilters(TODAY, TODAY)).as_of_now()
    pieces = csv_chunks(export)
    next(pieces)  # the header
    assert len(next(pieces)) >= 256 * 1024  # the COPY is under way, more rows to come
    pieces.close()
    assert Visit.objects.count() == 800
    rows, _ = download(signed_in)
    assert len(rows) == 800
