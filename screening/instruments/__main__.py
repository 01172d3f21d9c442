"""`python -m screening.instruments FILE.json` (or `-` for stdin): score a JSON list of
`{"instrument": "asq"|"phq9"|"lbp_peg", "answers": {...}}` and print a JSON list of results, one
per case; bad input exits 2 with `case N: <key>: <message>` (INSTRUMENTS.md section 5)."""

from __future__ import annotations

import argparse
import json
import sys

from screening.casefile import read_json
from screening.instruments import RULES_VERSION, Instrument, InvalidAnswers, Result, score

PROG = "python -m screening.instruments"
_CASE_KEYS = ("instrument", "answers")
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}


def _json_type(value: object) -> str:
    """What a JSON value is, in the words a JSON author uses."""
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "a number")


def _read_cases(source: str) -> list[object]:
    """The JSON list in a file, or in stdin for `-`; raises OSError or ValueError."""
    cases = read_json(source)
    if not isinstance(cases, list):
        raise ValueError(f"expected a JSON list of cases, got {_json_type(cases)}")
    return cases


def _scored(case: dict[str, object]) -> Result:
    """One case's result; raises InvalidAnswers naming the key at fault (section 5)."""
    for key in case:
        if key not in _CASE_KEYS:
            raise InvalidAnswers(key, "unknown key; expected instrument and answers")
    name = case.get("instrument")
    codes = [member.value for member in Instrument]
    if not isinstance(name, str) or name not in codes:
        expected = ", ".join(codes)
        raise InvalidAnswers("instrument", f"expected one of {expected}, got {name!r}")
    answers = case.get("answers")
    if not isinstance(answers, dict):
        raise InvalidAnswers("answers", f"expected an object, got {_json_type(answers)}")
    return score(Instrument(name), answers)


def _score_case(index: int, case: object) -> dict[str, object]:
    """One case's result as a dict; raises ValueError as `case N: <key>: <message>`."""
    if not isinstance(case, dict):
        raise ValueError(
            f"case {index}: expected an object with instrument and answers, got {_json_type(case)}"
        )
    try:
        return _scored(case).as_dict()
    except InvalidAnswers as error:
        raise ValueError(f"case {index}: {error.key}: {error}") from error


def main(argv: list[str] | None = None) -> int:
    """Score a JSON list of cases and print a JSON list of results; 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=f"Score ASQ, PHQ-9 and LBP+PEG answers (rules version {RULES_VERSION}).",
    )
    parser.add_argument("file", help="JSON file holding a list of cases, or - for stdin")
    source = parser.parse_args(argv).file
    try:
        results = [_score_case(index, case) for index, case in enumerate(_read_cases(source))]
    except OSError as error:
        print(f"{PROG}: cannot read {source}: {error.strerror}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
