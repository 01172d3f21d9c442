"""XLSX: the typed rows into an XlsxWriter workbook in constant-memory mode, with a Columns sheet
describing each column.

Constant-memory mode writes each row to a file as soon as the next one starts, so a worker
holds one row, whatever the export's size; those files are made in the export's workspace
(exports/tmpfiles.py). Excel holds at most 1,048,576 rows a sheet: past SHEET_ROWS visits the
rows go on into "Visits (2)", "Visits (3)", ..., each with the header (docs/exports.md).
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format as CellFormat
from xlsxwriter.worksheet import Worksheet

from exports.columns import Column, Kind, columns
from exports.export import EXCEL_MAX_ROWS, Dataset, Export, Progress
from exports.selectors import rows
from lib.spreadsheet import neutralise

SHEET_ROWS = EXCEL_MAX_ROWS  # visits a sheet (its header row aside)
VISITS = "Visits"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

# A cell writer: (sheet, row, column, value) -> None, for one column's typed values.
CellWriter = Callable[[Worksheet, int, int, Any], None]

_SHEETS = {Dataset.VISITS: "Visits", Dataset.INSTRUMENTS: "Instruments"}


def _cell_writer(column: Column, labels: bool, formats: dict[str, CellFormat]) -> CellWriter:
    """How one column's typed value becomes a spreadsheet cell: real numbers, booleans and
    dates; text is always a string, never a formula, a number or a link."""
    if column.kind == Kind.BOOL:
        if labels:
            return _strings(lambda value: "Yes" if value else "No")
        return lambda sheet, r, c, value: (
            None if value is None else sheet.write_boolean(r, c, value)
        )
    if column.kind == Kind.CHOICE and labels:
        names = dict(column.choices)
        return _strings(lambda value: names.get(value, value))
    if column.kind == Kind.TEXT:
        return _strings(neutralise)
    if column.kind == Kind.DATETIME:
        stamp = formats[DATETIME_FORMAT]

        # Excel has no time zones: write the UTC wall time, as the Columns sheet says
        def instant(sheet: Worksheet, r: int, c: int, value: Any) -> None:
            if value is not None:
                wall = value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
                sheet.write_datetime(r, c, wall, stamp)

        return instant
    if column.kind == Kind.DATE:
        day = formats[DATE_FORMAT]
        return lambda sheet, r, c, value: (
            None if value is None else sheet.write_datetime(r, c, value, day)
        )
    if column.kind in (Kind.INT, Kind.DECIMAL):
        return lambda sheet, r, c, value: None if value is None else sheet.write_number(r, c, value)
    if column.kind == Kind.AGE:

        def age(sheet: Worksheet, r: int, c: int, value: Any) -> None:
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value))  # "90+"

        return age
    return _strings(str)


def _strings(text: Callable[[Any], str]) -> CellWriter:
    return lambda sheet, r, c, value: (
        None if value is None else sheet.write_string(r, c, text(value))
    )


def _codes_and_labels(column: Column) -> str:
    if column.kind == Kind.BOOL:
        return "true = Yes; false = No; empty = not asked"
    if column.kind == Kind.CHOICE:
        return "; ".join(f"{code} = {label}" for code, label in column.choices)
    return ""


def sheet_name(number: int, base: str = VISITS) -> str:
    """The name of the `number`th sheet of rows (from 1): Visits, Visits (2), ..."""
    return base if number == 1 else f"{base} ({number})"


def write_xlsx(
    export: Export, target: IO[bytes], folder: Path, progress: Progress | None = None
) -> int:
    """Write the workbook (Visits or Instruments sheets, then a Columns sheet) to `target`, its row files in
    `folder` (an export workspace); return the rows."""
    workbook = Workbook(
        target,
        {
            "constant_memory": True,
            "tmpdir": str(folder),
            # what people typed stays text: never a formula, a number or a link
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "allow_zip64": True,  # a million visits is more than 4 GB of sheet XML
        },
    )
    try:
        count = _fill(workbook, export, progress)
    finally:
        workbook.close()  # on failure too: it closes and removes its row files
    return count


def _fill(workbook: Workbook, export: Export, progress: Progress | None) -> int:
    export_columns = columns(export.options)
    bold = workbook.add_format({"bold": True})
    formats = {
        DATE_FORMAT: workbook.add_format({"num_format": DATE_FORMAT}),
        DATETIME_FORMAT: workbook.add_format({"num_format": DATETIME_FORMAT}),
    }
    header = [column.name for column in export_columns]
    writers = [_cell_writer(column, export.options.labels, formats) for column in export_columns]
    base = _SHEETS[export.options.dataset]
    sheets = 1
    sheet = _rows_sheet(workbook, sheet_name(sheets, base), header, bold)
    line = 0
    count = 0
    for row in rows(export, progress=progress):
        if line == SHEET_ROWS:
            sheets += 1
            sheet = _rows_sheet(workbook, sheet_name(sheets, base), header, bold)
            line = 0
        line += 1
        for place, (write, value) in enumerate(zip(writers, row, strict=True)):
            write(sheet, line, place, value)
        count += 1
    _columns_sheet(workbook, export_columns, bold)
    return count


def _rows_sheet(workbook: Workbook, name: str, header: list[str], bold: CellFormat) -> Any:
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, header, bold)
    return sheet


def _columns_sheet(workbook: Workbook, export_columns: list[Column], bold: CellFormat) -> None:
    about = workbook.add_worksheet("Columns")
    about.freeze_panes(1, 0)
    for place, width in enumerate((26, 12, 70, 14, 70)):
        about.set_column(place, place, width)
    titles = ("Column", "Group", "Description (item wording)", "MIDUS variable", "Codes and labels")
    about.write_row(0, 0, titles, bold)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for line, column in enumerate(export_columns, start=1):
        cells = (
            column.name,
            column.group,
            column.description,
            column.midus,
            _codes_and_labels(column),
        )
        for place, text in enumerate(cells):
            about.write_string(line, place, text or "", wrap)
