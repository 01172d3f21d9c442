"""Excel's row limit: past it the visits go on into more sheets, each with the header."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exports import xlsx
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_visits_go_on_into_a_second_and_third_sheet_when_a_sheet_is_full(
    client, admin_user, monkeypatch
):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 2)  # Excel's is 1,048,575 visits a sheet
    for days in range(5):
        VisitFactory(visit_at=timezone.now() - dt.timedelta(days=days + 1))
    client.force_login(admin_user)
    query = {
        "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
        "date_to": TODAY.isoformat(),
        "current_only": "on",
        "format": "xlsx",
        "labels": "codes",
        "dates": "shifted",
    }
    response = client.get(reverse("exports:export_download"), query)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    assert book.sheetnames == ["Visits", "Visits (2)", "Visits (3)", "Columns"]
    sheets = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[:3]]
    assert [len(rows) for rows in sheets] == [3, 3, 2]  # the header, then 2, 2 and 1 visits
    assert sheets[0][0] == sheets[1][0] == sheets[2][0]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    visit_ids = [row[sheets[0][0].index("visit_id")] for rows in sheets for row in rows[1:]]
    assert len(set(visit_ids)) == 5
