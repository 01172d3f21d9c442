"""The JSON file or stdin the rules' command-line tools read (`python -m screening.criteria`,
`python -m screening.instruments`). Standard library only, like the rules."""

import json
import sys


def read_json(source: str) -> object:
    """The JSON in file `source`, or in stdin for `-`; raises OSError, or ValueError naming the
    JSON error."""
    if source == "-":
        text = sys.stdin.read()
    else:
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error}") from error
