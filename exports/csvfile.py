"""CSV: COPY of the export query with every column formatted as text by PostgreSQL.

A Python CSV writer costs several times COPY at a million rows (docs/benchmarks.md), so the
formatting happens in SQL and the bytes are relayed in chunks.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Func,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

from config.replica import long_read_alias
from exports.columns import Column, Kind, columns
from exports.export import CHUNK_BYTES, Export, Progress
from exports.selectors import export_query
from lib.spreadsheet import neutralised_sql

# CSV: COPY of the same query, formatted as text by PostgreSQL ------------------------------------

# The two below rely on DateStyle ISO, which csv_chunks sets for its COPY; to_char() would not,
# but costs about a second more per million rows.


class _UtcIso(Func):
    template = (
        "(translate(date_trunc('second', %(expressions)s AT TIME ZONE 'UTC')::text, ' ', 'T')"
        " || 'Z')"
    )
    output_field = CharField()


class _IsoDate(Func):
    template = "(%(expressions)s)::text"
    output_field = CharField()


def _text_sql(column: Column, labels: bool) -> Any:
    """SQL writing one column's value as CSV text; NULL stays NULL (an empty cell)."""
    expression = column.expression
    if column.kind == Kind.BOOL and not labels:
        return Cast(expression, TextField())  # PostgreSQL casts booleans to 'true' and 'false'
    if column.kind == Kind.BOOL:
        return Case(
            When(Exact(expression, True), then=Value("Yes")),
            When(Exact(expression, False), then=Value("No")),
            output_field=CharField(),
        )
    if column.kind == Kind.CHOICE and labels:
        return Case(
            *(When(Exact(expression, code), then=Value(label)) for code, label in column.choices),
            default=expression,
            output_field=CharField(),
        )
    if column.kind == Kind.TEXT:
        return neutralised_sql(expression)
    if column.kind == Kind.DATETIME:
        return _UtcIso(expression)
    if column.kind == Kind.DATE:
        return _IsoDate(expression)
    return expression


def copy_query(export: Export, *, formatted: bool = True) -> tuple[str, tuple[Any, ...]]:
    """The export query as SQL for COPY: every column as CSV text, or as stored (`formatted`
    False: the benchmark's baseline, the same rows and joins)."""
    export_columns = columns(export.options)
    if formatted:
        expressions = [_text_sql(column, export.options.labels) for column in export_columns]
    else:
        expressions = [column.expression for column in export_columns]
    sql, params = export_query(export, expressions).query.sql_with_params()
    return sql, tuple(params)


# On request, UTF-8's byte-order mark first, so Excel reads the file as UTF-8 and accents stay
# intact; off by default, so the file's bytes are the contract's (DESIGN.md "CSV exports")
# (without it Excel guesses the local code page: "José" opens as "JosÃ©"); other readers skip it.
BOM = "\ufeff".encode()


def header(export: Export) -> list[str]:
    return [column.name for column in columns(export.options)]


def csv_chunks(export: Export, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV file in pieces of about CHUNK_BYTES: a header row, then COPY of the query;
    `progress` hears about how many rows are out with each piece, and the exact count at the
    end."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header(export))
    yield (BOM if export.options.excel_bom else b"") + out.getvalue().encode()
    sql, params = copy_query(export)
    buffer = bytearray()
    lines = 0
    alias = long_read_alias()  # the replica when there is a usable one (config/replica.py)
    with transaction.atomic(using=alias), connections[alias].cursor() as wrapper:
        # dates as YYYY-MM-DD whatever the server's default, for _UtcIso and _IsoDate
        wrapper.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        # psycopg's own cursor: Django's debug wrapper (DEBUG on) passes no parameters to COPY
        with wrapper.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= CHUNK_BYTES:
                    yield bytes(buffer)
                    if progress is not None:
                        # one line a row, unless free text holds a line break: about right
                        lines += buffer.count(b"\n")
                        progress(lines)
                    buffer.clear()
        copied = wrapper.cursor.rowcount  # COPY's own count, whatever line breaks text holds
    if buffer:
        yield bytes(buffer)
    if progress is not None:
        progress(copied)
