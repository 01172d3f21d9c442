"""Which writer a format uses: one place for every way an export leaves the app (the download,
`manage.py export_visits`), so each gets the same bytes for the same choices."""

import tempfile
from collections.abc import Iterator
from typing import IO

from exports import fhir
from exports.csvfile import csv_chunks
from exports.export import Export, Format, Progress


def streams(export: Export) -> bool:
    """CSV and FHIR NDJSON go out as they are written; a workbook is a zip whose index comes
    last, so it is complete before its first byte can be sent."""
    return export.format != Format.XLSX


def stream(export: Export, progress: Progress | None = None) -> Iterator[bytes]:
    """A streamed format's file in pieces; `progress` hears the rows written so far."""
    if export.format == Format.FHIR:
        return fhir.ndjson_chunks(export, progress)
    if export.format == Format.CSV:
        return csv_chunks(export, progress)
    raise ValueError(f"{export.format} is not streamed: write it to a file")


def write(export: Export, target: IO[bytes], progress: Progress | None = None) -> None:
    """The export's whole file, in any format, written to `target`."""
    if streams(export):
        for piece in stream(export, progress):
            target.write(piece)
    else:
        # openpyxl loads with the first workbook, not with the URLconf (lighter workers)
        from exports.xlsx import write_xlsx

        write_xlsx(export, target, progress)


def spool() -> IO[bytes]:
    """A temporary file for a workbook being built; it is gone once closed."""
    return tempfile.TemporaryFile(suffix=".xlsx")
