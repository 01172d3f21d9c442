"""An `enableWhen` evaluator with the semantics of NLM's LHC-Forms (docs STACK-NOTES): which
items of an R4 Questionnaire a renderer shows for a set of answers.

- operators `exists`, `=`, `!=` (ordering operators are refused: the screen has no numbers);
- an `answerCoding` matches an answer only with the same system and code;
- a disabled question counts as unanswered, so `!=` is true for it, `=` false, `exists` false;
- `enableBehavior` `all` or `any`; one condition needs neither.
"""

from collections.abc import Mapping
from typing import Any

Answer = tuple[str, str] | bool  # (system, code) for a coded answer, or a boolean


def fhir_answers(resource: Mapping[str, Any], answers: Mapping[str, object]) -> dict[str, Answer]:
    """Answers keyed by linkId (True/False, or the code of one of the item's options) as a
    renderer holds them: each code with the system of its answer option."""
    items = {item["linkId"]: item for item in resource["item"]}
    held: dict[str, Answer] = {}
    for key, value in answers.items():
        if value is None or key not in items:
            continue
        if isinstance(value, bool):
            held[key] = value
            continue
        (coding,) = [
            option["valueCoding"]
            for option in items[key]["answerOption"]
            if option["valueCoding"]["code"] == value
        ]
        held[key] = (coding["system"], coding["code"])
    return held


def _matches(held: Answer, condition: Mapping[str, Any]) -> bool:
    if "answerCoding" in condition:
        coding = condition["answerCoding"]
        return held == (coding.get("system"), coding["code"])
    if "answerBoolean" in condition:
        return held is condition["answerBoolean"]
    raise AssertionError(f"unsupported answer in {condition}")


def enabled_items(resource: Mapping[str, Any], answers: Mapping[str, object]) -> set[str]:
    """The linkIds a renderer enables (shows) for these answers."""
    items = {item["linkId"]: item for item in resource["item"]}
    held = fhir_answers(resource, answers)
    memo: dict[str, bool] = {}

    def value_of(key: str) -> Answer | None:
        assert key in items, f"enableWhen names an unknown question {key}"
        return held.get(key) if enabled(key) else None

    def holds(condition: Mapping[str, Any]) -> bool:
        value = value_of(condition["question"])
        operator = condition["operator"]
        if operator == "exists":
            return (value is not None) is condition["answerBoolean"]
        if operator == "=":
            return value is not None and _matches(value, condition)
        if operator == "!=":
            return value is None or not _matches(value, condition)
        raise AssertionError(f"operator {operator} is not one LHC-Forms applies to codes")

    def enabled(key: str) -> bool:
        if key not in memo:
            memo[key] = False  # a cycle would read as disabled rather than loop
            conditions = items[key].get("enableWhen", [])
            if not conditions:
                memo[key] = True
            else:
                behavior = items[key].get("enableBehavior")
                assert len(conditions) == 1 or behavior in ("all", "any"), key
                results = [holds(condition) for condition in conditions]
                memo[key] = any(results) if behavior == "any" else all(results)
        return memo[key]

    return {key for key in items if enabled(key)}
