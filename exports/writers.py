"""Which writer a format uses: one place for every way an export leaves the app (the download,
`manage.py export_visits`), so each gets the same bytes for the same choices, builds its files
in the app's own folder (exports/tmpfiles.py), and closes its audit with what it wrote."""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from exports import fhir, tmpfiles
from exports.csvfile import csv_chunks
from exports.export import Export, Format, Progress
from exports.services import StartedExport, end_export

SPOOL_PIECE = 256 * 1024  # bytes per piece of a built workbook sent


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


class RowCount:
    """The rows a writer has reported so far, passed on to another `progress` if given."""

    def __init__(self, then: Progress | None = None) -> None:
        self.rows = 0
        self._then = then

    def __call__(self, rows: int) -> None:
        self.rows = rows
        if self._then is not None:
            self._then(rows)


def write(export: Export, target: IO[bytes], progress: Progress | None = None) -> int:
    """The export's whole file, in any format, written to `target`; the rows written. A
    workbook is built in a workspace of the app's folder, removed when this returns or fails."""
    counted = RowCount(progress)
    if streams(export):
        for piece in stream(export, counted):
            target.write(piece)
        return counted.rows
    with tmpfiles.workspace() as folder:
        return write_xlsx(export, target, folder, counted)


def write_xlsx(export: Export, target: IO[bytes], folder: Path, progress: Progress) -> int:
    """exports.xlsx.write_xlsx, imported here: XlsxWriter loads with the first workbook, not
    with the URLconf (lighter workers)."""
    from exports import xlsx

    return xlsx.write_xlsx(export, target, folder, progress)


def write_audited(
    started: StartedExport, target: IO[bytes], progress: Progress | None = None
) -> int:
    """write(), then the export's closing audit row: complete with the rows written, or
    stopped early (with the rows written by then) when writing fails or is interrupted."""
    counted = RowCount(progress)
    try:
        rows = write(started.export, target, counted)
    except BaseException as stop:
        end_export(started=started, rows_written=counted.rows, stopped=stop)
        raise
    end_export(started=started, rows_written=rows, stopped=None)
    return rows


def pieces(started: StartedExport) -> tuple[Iterator[bytes], int | None]:
    """The export's file in pieces for a response, and its length when known first (a workbook,
    built before its first byte); the closing audit row is written after the last piece, or
    when sending stops early (an error, or the reader going away: the pieces are closed)."""
    counted = RowCount()
    if streams(started.export):
        return _audited(started, stream(started.export, counted), counted), None
    # A file with no name in a workspace: once the workspace is gone only this process holds
    # it, and the kernel frees it when it is closed or the process ends.
    try:
        with tmpfiles.workspace() as folder:
            spool = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed by the pieces)
            try:
                write_xlsx(started.export, spool, folder, counted)
            except BaseException:
                spool.close()
                raise
    except BaseException as stop:
        end_export(started=started, rows_written=counted.rows, stopped=stop)
        raise
    length = spool.tell()
    spool.seek(0)
    return _audited(started, _read(spool), counted), length


def _read(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while piece := spool.read(SPOOL_PIECE):
            yield piece


def _audited(started: StartedExport, chunks: Iterator[bytes], counted: RowCount) -> Iterator[bytes]:
    """`chunks`, then the closing audit row, written once the writer's own transaction is
    over (a durable one cannot nest in it)."""
    try:
        yield from chunks  # closing this closes the writer first
    except BaseException as stop:
        end_export(started=started, rows_written=counted.rows, stopped=stop)
        raise
    end_export(started=started, rows_written=counted.rows, stopped=None)
