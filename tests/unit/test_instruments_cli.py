"""The instruments' command, `python -m screening.instruments FILE.json|-`, and its interchange
format (INSTRUMENTS.md section 5): one result per case, or exit 2 with `case N: <key>: <message>`."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from screening.instruments.__main__ import main
from tests.unit.instrument_cases import WORKED, asq

ROOT = Path(__file__).resolve().parents[2]
CASES = [{"instrument": instrument, "answers": answers} for _, instrument, answers, _ in WORKED]
EXPECTED = [result for *_, result in WORKED]
RESULT_KEYS = {
    "asq": ["result", "positive", "acute"],
    "phq9": ["score", "band", "positive", "mdd_algorithm", "safety"],
    "lbp_peg": ["chronic", "peg_score", "positive"],
}
NEGATIVE_ASQ = {"instrument": "asq", "answers": asq("no", "no", "no", "no")}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: a new interpreter, from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "screening.instruments", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


# As a command


def test_command_prints_one_result_per_case_when_given_a_file(tmp_path: Path) -> None:
    done = run(write(tmp_path, json.dumps(CASES)))

    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results == EXPECTED
    assert [list(result) for result in results] == [RESULT_KEYS[case[1]] for case in WORKED]


def test_command_prints_peg_score_with_one_decimal_when_scored(tmp_path: Path) -> None:
    done = run(write(tmp_path, json.dumps(CASES)))

    assert '"peg_score": 6.7,' in done.stdout
    assert '"peg_score": 8.0,' in done.stdout


def test_command_reads_stdin_when_given_a_dash() -> None:
    done = run("-", stdin=json.dumps(CASES))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED


def test_command_exits_2_naming_case_and_key_when_an_answer_is_bad(tmp_path: Path) -> None:
    bad = {"instrument": "phq9", "answers": {"phq9_1": 4}}

    done = run(write(tmp_path, json.dumps([*CASES, bad])))

    assert done.returncode == 2
    assert done.stderr == (
        f"python -m screening.instruments: case {len(CASES)}: phq9_1: "
        "invalid value 4: expected an integer from 0 to 3 or null\n"
    )
    assert done.stdout == ""


def test_command_exits_2_when_json_is_malformed() -> None:
    done = run("-", stdin='[{"instrument": "asq",]')

    assert done.returncode == 2
    assert "invalid JSON" in done.stderr


def test_command_names_the_rules_version_when_asked_for_help() -> None:
    done = run("--help")

    assert done.returncode == 0
    assert "rules version 2026.1" in done.stdout


# In process, so that coverage sees every branch of main()


def test_main_returns_0_and_prints_results_when_file_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([write(tmp_path, json.dumps(CASES))]) == 0

    assert json.loads(capsys.readouterr().out) == EXPECTED


def test_main_reads_stdin_when_given_a_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("[]"))

    assert main(["-"]) == 0

    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        pytest.param(
            "{not json",
            "invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            id="bad-json",
        ),
        pytest.param(
            json.dumps(NEGATIVE_ASQ), "expected a JSON list of cases, got an object", id="object"
        ),
        pytest.param("3", "expected a JSON list of cases, got a number", id="number"),
        pytest.param(
            json.dumps([NEGATIVE_ASQ, "asq"]),
            "case 1: expected an object with instrument and answers, got a string",
            id="case-a-string",
        ),
        pytest.param(
            json.dumps([None]),
            "case 0: expected an object with instrument and answers, got null",
            id="case-null",
        ),
        pytest.param(
            json.dumps([{**NEGATIVE_ASQ, "patient": "x"}]),
            "case 0: patient: unknown key; expected instrument and answers",
            id="unknown-case-key",
        ),
        pytest.param(
            json.dumps([{"instrument": "gad7", "answers": {}}]),
            "case 0: instrument: expected one of asq, phq9, lbp_peg, got 'gad7'",
            id="unknown-instrument",
        ),
        pytest.param(
            json.dumps([{"answers": {}}]),
            "case 0: instrument: expected one of asq, phq9, lbp_peg, got None",
            id="no-instrument",
        ),
        pytest.param(
            json.dumps([{"instrument": ["asq"], "answers": {}}]),
            "case 0: instrument: expected one of asq, phq9, lbp_peg, got ['asq']",
            id="instrument-a-list",
        ),
        pytest.param(
            json.dumps([{"instrument": "asq"}]),
            "case 0: answers: expected an object, got null",
            id="no-answers",
        ),
        pytest.param(
            json.dumps([{"instrument": "asq", "answers": ["no"]}]),
            "case 0: answers: expected an object, got a list",
            id="answers-a-list",
        ),
        pytest.param(
            json.dumps([{"instrument": "asq", "answers": {"asq_1": False}}]),
            "case 0: asq_1: invalid value False: expected one of yes, no, refused or null",
            id="boolean-answer",
        ),
        pytest.param(
            json.dumps([NEGATIVE_ASQ, {"instrument": "asq", "answers": {}}]),
            "case 1: asq_1: required",
            id="empty-answers",
        ),
        pytest.param(
            json.dumps([{"instrument": "lbp_peg", "answers": {"peg_pain": 2.5}}]),
            "case 0: peg_pain: invalid value 2.5: expected an integer from 0 to 10 or null",
            id="fraction",
        ),
    ],
)
def test_main_returns_2_with_a_message_when_input_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cases: str, message: str
) -> None:
    assert main([write(tmp_path, cases)]) == 2

    captured = capsys.readouterr()
    assert captured.err == f"python -m screening.instruments: {message}\n"
    assert captured.out == ""


def test_main_returns_2_when_file_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing.json")]) == 2

    assert "cannot read" in capsys.readouterr().err


def test_main_exits_2_with_usage_when_no_file_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main([])

    assert raised.value.code == 2
    assert "usage" in capsys.readouterr().err
