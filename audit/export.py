"""The audit log as a streamed CSV whose cells a spreadsheet cannot run as formulas."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from lib.spreadsheet import neutralise


class _Line:
    """A file-like sink that hands back each line the csv writer produces."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """A byte-order mark, then one CSV line per row, text that could run as a formula prefixed
    with an apostrophe."""
    writer = csv.writer(_Line())
    yield "\ufeff"  # UTF-8's byte-order mark, so Excel keeps accents intact (exports/csvfile.py)
    for row in rows:
        yield writer.writerow(
            [neutralise(value) if isinstance(value, str) else value for value in row]
        )
