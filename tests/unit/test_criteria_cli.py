"""The batch classifier, `python -m screening.criteria FILE.json` (CRITERIA.md section 7)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from screening.criteria import main

ROOT = Path(__file__).resolve().parents[2]
RESULT_KEYS = {
    "back_pain",
    "major_depression",
    "path",
    "symptom_count",
    "safety_flag",
    "antidepressant_volunteered",
    "back_pain_answered",
    "stopped_at",
}
CASES = [
    {
        "backache_freq_30d": "almost_every_day",
        "da_sad_2wk": "yes",
        "da_duration": "all_day_long",
        "da_frequency": "every_day",
        "da_tired": True,
        "da_concentration": True,
        "da_worthless": True,
        "da_death_thoughts": True,
    },
    {"backache_freq_30d": "not_at_all", "da_sad_2wk": "no", "an_lost_interest_2wk": "no"},
    {},
]
EXPECTED = [
    {
        "back_pain": True,
        "major_depression": True,
        "path": "depressed_affect",
        "symptom_count": 4,
        "safety_flag": True,
        "antidepressant_volunteered": False,
        "back_pain_answered": True,
        "stopped_at": None,
    },
    {
        "back_pain": False,
        "major_depression": False,
        "path": "none",
        "symptom_count": 0,
        "safety_flag": False,
        "antidepressant_volunteered": False,
        "back_pain_answered": True,
        "stopped_at": "an_lost_interest_2wk",
    },
    {
        "back_pain": False,
        "major_depression": False,
        "path": "none",
        "symptom_count": 0,
        "safety_flag": False,
        "antidepressant_volunteered": False,
        "back_pain_answered": False,
        "stopped_at": "an_lost_interest_2wk",
    },
]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The classifier as a user runs it: a new interpreter, from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "screening.criteria", *args],
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
    assert [set(result) for result in results] == [RESULT_KEYS] * len(CASES)
    assert results == EXPECTED


def test_command_reads_stdin_when_given_a_dash() -> None:
    done = run("-", stdin=json.dumps(CASES))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED


def test_command_exits_2_naming_case_and_key_when_a_key_is_unknown(tmp_path: Path) -> None:
    cases = [*CASES, {"da_sadd": "yes"}]

    done = run(write(tmp_path, json.dumps(cases)))

    assert done.returncode == 2
    assert "case 3: unknown key 'da_sadd'" in done.stderr
    assert done.stdout == ""


def test_command_exits_2_when_json_is_malformed(tmp_path: Path) -> None:
    done = run(write(tmp_path, '[{"da_sad_2wk": "yes",]'))

    assert done.returncode == 2
    assert "invalid JSON" in done.stderr


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
    ("text", "message"),
    [
        pytest.param("{not json", "invalid JSON: Expecting property name", id="bad-json"),
        pytest.param('{"da_sad_2wk": "yes"}', "expected a JSON list", id="not-a-list"),
        pytest.param('[{}, "yes"]', "case 1: expected an object, got str", id="case-not-object"),
        pytest.param(
            '[{"da_sad_2wk": "maybe"}]',
            "case 0: invalid value 'maybe' for 'da_sad_2wk'",
            id="value",
        ),
        pytest.param(
            '[{}, {"da_tired": 1}]', "case 1: invalid value 1 for 'da_tired'", id="non-bool"
        ),
    ],
)
def test_main_returns_2_with_a_message_when_input_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert main([write(tmp_path, text)]) == 2

    captured = capsys.readouterr()
    assert message in captured.err
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
