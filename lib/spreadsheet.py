"""The one rule that keeps a cell from running as a spreadsheet formula, in Python and in SQL.

Every CSV and workbook the project writes (exports, the audit log) passes its text through it.
"""

import re
from typing import Any

from django.db.models import Case, CharField, Expression, Value, When
from django.db.models.functions import Concat, Replace
from django.db.models.lookups import Regex

# defusedcsv's rule (= + - @ | %), plus tab and carriage return, which some spreadsheets also
# read as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9,.]+")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with ' (and | escaped); plain numbers
    such as -12.5 pass unchanged."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text.replace("|", "\\|")
    return text


def neutralised_sql(expression: Any) -> Expression:
    """neutralise() in SQL, for text PostgreSQL formats itself (COPY)."""
    escaped = Concat(
        Value("'"), Replace(expression, Value("|"), Value("\\|")), output_field=CharField()
    )
    return Case(
        When(
            Regex(expression, "^[=+@|%\t\r-]"),
            then=Case(
                When(Regex(expression, "^-?[0-9,.]+$"), then=expression),
                default=escaped,
            ),
        ),
        default=expression,
        output_field=CharField(),
    )
