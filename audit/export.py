"""The audit log as a streamed CSV whose cells a spreadsheet cannot run as formulas."""

from collections.abc import Iterable, Iterator
from typing import Any

from defusedcsv import csv

# defusedcsv escapes cells starting = + - @ | %; a leading tab or carriage return is also read
# as the start of a formula by some spreadsheets.
_ALSO_UNSAFE = ("\t", "\r")


class _Line:
    """A file-like sink that hands back each line the csv writer produces."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_ALSO_UNSAFE):
        return "'" + value
    return value


def csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """One CSV line per row, formula cells prefixed with an apostrophe."""
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])
