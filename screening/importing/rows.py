"""The import file's columns, its rows as read, and the checked rows ready to write."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from screening import questionnaire
from screening.questionnaire import COVARIATE_KEYS

PATIENT_KEYS = ("mrn", "given_name", "family_name", "date_of_birth", "sex", "education", "earnings")
IDENTITY_KEYS = ("given_name", "family_name", "date_of_birth", "sex")
VISIT_KEYS = ("visit_at", "clinician")
COLUMNS = (*PATIENT_KEYS, *VISIT_KEYS, *questionnaire.ANSWER_KEYS, *COVARIATE_KEYS)
REQUIRED = ("mrn", "given_name", "family_name", "date_of_birth", "sex", "visit_at")
BATCH = 1000

Progress = Callable[[str], None]


class ImportFileError(Exception):
    """The file cannot be read as rows at all (bad JSON, no header, unknown extension)."""


@dataclass(frozen=True)
class RawRow:
    """One record as read, with the line of the file it starts on."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    """One problem with one row, named by line and column."""

    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.key}: {self.message}"


@dataclass(frozen=True)
class PatientData:
    """The patient columns of a row, checked."""

    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    education: str | None
    earnings: str | None

    def identity(self) -> dict[str, object]:
        return {
            "given_name": self.given_name.casefold(),
            "family_name": self.family_name.casefold(),
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
        }


@dataclass(frozen=True)
class ValidRow:
    """A row ready to write: the patient, who saw them and when, answers as asked, covariates."""

    line: int
    patient: PatientData
    clinician_id: int
    visit_at: dt.datetime
    answers: dict[str, object]
    covariates: dict[str, object]


def read_rows(name: str, stream: TextIO) -> list[RawRow]:
    """Rows of a CSV or JSON file, chosen by the name's extension; '-' (stdin) is JSON."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return list(_csv_rows(stream))
    if lower == "-" or lower.endswith(".json"):
        return list(_json_rows(stream.read()))
    raise ImportFileError(f"{name}: expected a .csv or .json file, or - for JSON on stdin")


def _csv_rows(stream: TextIO) -> Iterator[RawRow]:
    reader = csv.DictReader(stream, restkey="\0extra")
    if not reader.fieldnames:
        raise ImportFileError("the CSV file is empty: expected a header row of column names")
    for values in reader:
        cleaned = {
            key: value.strip() if isinstance(value, str) and value.strip() else None
            for key, value in values.items()
        }
        yield RawRow(reader.line_num, cleaned)


def _json_rows(text: str) -> Iterator[RawRow]:
    """The objects of a top-level JSON array, each with the line it starts on."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        raise ImportFileError("expected a JSON array of objects, one per visit")
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return
    while True:
        line = text.count("\n", 0, position) + 1
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
        yield RawRow(line, value if isinstance(value, dict) else {"\0record": value})
        position = _skip_space(text, position)
        if text.startswith("]", position):
            return
        if not text.startswith(",", position):
            line = text.count("\n", 0, position) + 1
            raise ImportFileError(f"line {line}: invalid JSON: expected ',' or ']'")
        position = _skip_space(text, position + 1)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position
