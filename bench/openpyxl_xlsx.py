"""The XLSX writer exports used before XlsxWriter (openpyxl's write-only workbook), kept only as
the baseline bench/bench_exports.py measures exports.xlsx against, on the same rows."""

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet import _writer as sheet_writer

from exports.columns import Column, Kind, columns
from exports.export import Export, Progress
from exports.selectors import rows
from exports.tmpfiles import owner_only_file
from lib.spreadsheet import neutralise

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


def write_xlsx(
    export: Export, target: IO[bytes], folder: Path, progress: Progress | None = None
) -> int:
    """Write the workbook (a Visits sheet and a Columns sheet) to `target`, building it in
    `folder` (an export workspace); return the rows."""
    workbook = Workbook(write_only=True)
    try:
        count = _fill(workbook, export, folder, progress)
        workbook.save(target)
    except BaseException:
        for sheet in workbook.worksheets:
            _abandon(sheet)
        raise
    return count


def _fill(workbook: Workbook, export: Export, folder: Path, progress: Progress | None) -> int:
    labels = export.options.labels
    export_columns = columns(export.options)
    sheet = workbook.create_sheet("Visits")
    sheet.freeze_panes = "A2"  # write-only sheets take panes only before the first row
    _buffer_in(folder, sheet)
    bold = Font(bold=True)
    sheet.append([_bold(sheet, column.name, bold) for column in export_columns])
    writers = [_cell_writer(column, labels) for column in export_columns]
    count = 0
    for row in rows(export, progress=progress):
        sheet.append([write(value) for write, value in zip(writers, row, strict=True)])
        count += 1
    about = workbook.create_sheet("Columns")
    about.freeze_panes = "A2"
    for width, letter in zip((26, 12, 70, 14, 70), "ABCDE", strict=True):
        about.column_dimensions[letter].width = width
    _buffer_in(folder, about)
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
    return count


def _buffer_in(folder: Path, sheet: Any) -> None:
    """Buffer the write-only sheet's rows in an owner-only file in `folder`, and write the
    sheet's top (its panes and column widths, so set them first).

    openpyxl buffers a write-only sheet in a file it names in the system's temporary folder,
    removed only when the workbook is saved or the process exits normally: a killed worker left
    every row there. Its WorksheetWriter takes the file to use instead (as openpyxl 3.1's own
    `_get_writer` makes it, with a name of its own); saving removes the name from
    ALL_TEMP_FILES, so it is listed there.
    """
    path = str(owner_only_file(folder / f"sheet-{sheet.title}.xml"))
    sheet_writer.ALL_TEMP_FILES.append(path)
    sheet._writer = sheet_writer.WorksheetWriter(sheet, out=path)
    sheet._writer.write_top()


def _abandon(sheet: Any) -> None:
    """Close a sheet left half-written and drop its buffer file: openpyxl would keep the file
    open (its space held) and listed until the process exits."""
    with suppress(Exception):  # the export's own error is the one to raise
        sheet.close()
    with suppress(Exception):  # gone already when saving got that far
        sheet._writer.cleanup()


def _bold(sheet: Any, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _wrapped(sheet: Any, text: str, alignment: Alignment) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.alignment = alignment
    return cell
