"""XLSX: the typed rows into a write-only workbook, with a Columns sheet describing each column."""

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from exports.columns import Column, Kind, columns
from exports.export import Export, Progress
from exports.selectors import rows
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


def write_xlsx(export: Export, target: IO[bytes], progress: Progress | None = None) -> int:
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
    for row in rows(export, progress=progress):
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
