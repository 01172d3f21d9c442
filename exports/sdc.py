"""The screen as an SDC Questionnaire, and a QuestionnaireResponse read back into answers.

Standard library only: built from the one questionnaire definition (screening.questionnaire) and
the skip logic's gates, so the FHIR export and the FHIR API serve the same Questionnaire, and an
SDC renderer (LHC-Forms, Smart Forms) enables exactly the items `criteria.asked_items` asks.

Semantics relied on (FHIR R4 Questionnaire.item.enableWhen, as LHC-Forms implements it): an
`answerCoding` matches an answer only with the same system and code; a question that is disabled
counts as unanswered, so each gate below names only the item just before it and the chain
carries the rest (a symptom is enabled by A3's answer, and A3 only while A2 qualifies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import screening.questionnaire as questionnaire
from screening.criteria import CRITERIA_VERSION, asked_items
from screening.questionnaire import PATH_A, PATH_B, Choices, PathSpec

BASE = "https://spine-mood-screen.example/fhir"
ITEMS_SYSTEM = f"{BASE}/CodeSystem/midus-items"
QUESTIONNAIRE_ID = "spine-mood-screen"
QUESTIONNAIRE_URL = f"{BASE}/Questionnaire/{QUESTIONNAIRE_ID}"
SDC_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"

# One CodeSystem per answer set, named once here; answer options, enableWhen and responses all
# carry the same system with each code, since a renderer matches codings on system and code.
ANSWER_SETS: dict[Choices, tuple[str, str]] = {
    questionnaire.BACKACHE_CHOICES: ("backache-frequency", "Backache frequency, past 30 days"),
    questionnaire.STEM_CHOICES: ("stem-answer", "Answers to the two-week stem questions"),
    questionnaire.DURATION_CHOICES: ("duration", "How long the feelings usually lasted"),
    questionnaire.FREQUENCY_CHOICES: ("frequency", "How often during those two weeks"),
    questionnaire.SLEEP_FREQUENCY_CHOICES: ("sleep-frequency", "How often trouble falling asleep"),
}

Gate = tuple[str, object]  # (question's linkId, the answer that enables): True/False or a code


def answer_system(choices: Choices) -> str:
    """The CodeSystem URL of an answer set."""
    return f"{BASE}/CodeSystem/{ANSWER_SETS[choices][0]}"


def _passing(spec: PathSpec, stem: str) -> list[Gate]:
    """The answers to `stem` that let the path go on, in the questionnaire's order."""
    passing = spec.passing[spec.stems.index(stem)]
    return [(stem, code) for code, _ in questionnaire.ITEMS[stem].choices or () if code in passing]


def _failing(spec: PathSpec) -> list[Gate]:
    """Every answer to any stem of `spec` that ends the path: a stem answered, but not so."""
    return [
        (stem, code)
        for stem, passing in zip(spec.stems, spec.passing, strict=True)
        for code, _ in questionnaire.ITEMS[stem].choices or ()
        if code not in passing
    ]


def gates() -> dict[str, list[Gate]]:
    """For each item the skip logic gates, the answers any one of which enables it (section 2);
    items asked of everyone are absent. Path B opens once path A fails at an answered stem."""
    found: dict[str, list[Gate]] = {PATH_B.stems[0]: _failing(PATH_A)}
    for spec in (PATH_A, PATH_B):
        for before, stem in zip(spec.stems, spec.stems[1:], strict=False):
            found[stem] = _passing(spec, before)
        for symptom in spec.symptoms:
            found[symptom] = _passing(spec, spec.stems[-1])
        for rule in spec.followups:
            found[rule.key] = [(rule.after, rule.when)]
    return found


def _coding(key: str, code: str) -> dict[str, str]:
    choices = questionnaire.ITEMS[key].choices or ()
    return {"system": answer_system(choices), "code": code, "display": dict(choices)[code]}


def _enable_when(gate: list[Gate]) -> list[dict[str, Any]]:
    conditions = []
    for key, answer in gate:
        condition: dict[str, Any] = {"question": key, "operator": "="}
        if isinstance(answer, bool):
            condition["answerBoolean"] = answer
        else:
            condition["answerCoding"] = _coding(key, str(answer))
        conditions.append(condition)
    return conditions


def _number(key: str) -> str:
    return next((spec.number(key) for spec in (PATH_A, PATH_B) if spec.number(key)), "")


def questionnaire_resource() -> dict[str, Any]:
    """The screen as an R4 SDC Questionnaire: one item per answer key, coded with its MIDUS
    concept, required when enabled, enabled exactly when criteria.asked_items asks it."""
    gated = gates()
    items = []
    for key, item in questionnaire.ITEMS.items():
        entry: dict[str, Any] = {"linkId": key}
        if number := _number(key):
            entry["prefix"] = number
        entry |= {
            "code": [{"system": ITEMS_SYSTEM, "code": item.midus, "display": item.text}],
            "text": item.text,
            "type": "boolean" if item.choices is None else "choice",
        }
        if key in gated:
            entry["enableWhen"] = _enable_when(gated[key])
            entry["enableBehavior"] = "any"
        # The form requires every asked item; a disabled item is never required (R4 que rules).
        entry["required"] = True
        if item.choices is not None:
            entry["answerOption"] = [
                {"valueCoding": _coding(key, code)} for code, _ in item.choices
            ]
        items.append(entry)
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "meta": {"profile": [SDC_PROFILE]},
        "url": QUESTIONNAIRE_URL,
        "version": CRITERIA_VERSION,
        "name": "SpineMoodScreen",
        "title": "Back pain and depression screen (MIDUS II items, CIDI-SF)",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Backache frequency (MIDUS II B1SA10B) and the CIDI-SF depression screen as fielded "
            "by MIDUS II, with the study's skip logic as enableWhen (Yang et al. 2023)."
        ),
        "item": items,
    }


# Reading a QuestionnaireResponse ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a response cannot be recorded: an OperationOutcome issue code, the FHIRPath
    of what is wrong (naming the linkId for an item) and a sentence saying why."""

    code: str
    expression: str
    diagnostics: str


def item_path(key: str, where: str = "") -> str:
    """The FHIRPath of an item of the response by its linkId, e.g. for `expression`."""
    return f"QuestionnaireResponse.item.where(linkId='{key}'){where}"


def _answer_value(key: str, answer: Any) -> tuple[object, Problem | None]:
    """The answer as criteria reads it (True/False or the code), or the problem with it."""
    item = questionnaire.ITEMS[key]
    where = item_path(key, ".answer[0]")
    if not isinstance(answer, dict):
        return None, Problem("structure", where, f"{key}: an answer must be an object")
    values = [name for name in answer if name.startswith("value")]
    if item.choices is None:
        if values != ["valueBoolean"] or not isinstance(answer["valueBoolean"], bool):
            return None, Problem(
                "value", where, f"{key} is a yes/no item: answer with valueBoolean true or false"
            )
        return answer["valueBoolean"], None
    system = answer_system(item.choices)
    codes = ", ".join(code for code, _ in item.choices)
    coding = answer.get("valueCoding")
    if values != ["valueCoding"] or not isinstance(coding, dict):
        return None, Problem(
            "value", where, f"{key} is a choice item: answer with valueCoding from {system}"
        )
    if coding.get("system") != system or coding.get("code") not in dict(item.choices):
        return None, Problem(
            "code-invalid",
            where,
            f"{key}: {coding.get('system')}|{coding.get('code')} is not one of its answers; "
            f"expected system {system} with code {codes}",
        )
    return coding["code"], None


def _items(resource: Mapping[str, Any]) -> Iterator[tuple[str, object] | Problem]:
    """Each answered item as (linkId, value), or the problem with it, in the response's order."""
    items = resource.get("item", [])
    if not isinstance(items, list):
        yield Problem("structure", "QuestionnaireResponse.item", "item must be a list")
        return
    seen: set[str] = set()
    for index, entry in enumerate(items):
        key = entry.get("linkId") if isinstance(entry, dict) else None
        if not isinstance(key, str) or not key:
            where = f"QuestionnaireResponse.item[{index}]"
            yield Problem("required", where, f"item {index} has no linkId")
            continue
        if key not in questionnaire.ITEMS:
            yield Problem(
                "structure",
                item_path(key),
                f"{key} is not an item of Questionnaire {QUESTIONNAIRE_URL}",
            )
            continue
        if key in seen:
            yield Problem("structure", item_path(key), f"{key} appears more than once")
            continue
        seen.add(key)
        if entry.get("item"):
            yield Problem("structure", item_path(key, ".item"), f"{key} has no child items")
            continue
        answers = entry.get("answer") or []
        if not isinstance(answers, list) or len(answers) > 1:
            yield Problem(
                "structure", item_path(key, ".answer"), f"{key} takes one answer, not several"
            )
            continue
        if not answers:
            continue  # an item without an answer is unanswered; required-ness is checked below
        value, problem = _answer_value(key, answers[0])
        yield problem if problem is not None else (key, value)


def _skip_logic(answers: Mapping[str, object]) -> Iterator[Problem]:
    """Answers to items the skip logic does not ask, and asked items left without an answer."""
    asked = asked_items(answers)
    for key in questionnaire.ANSWER_KEYS:
        if key in answers and key not in asked:
            yield Problem(
                "business-rule",
                item_path(key),
                f"{key} is answered, but the skip logic does not ask it given the other answers "
                "(its enableWhen is false): leave it out",
            )
        elif key in asked and key not in answers:
            yield Problem(
                "required",
                item_path(key),
                f"{key} is required: the skip logic asks it given the other answers",
            )


def _questionnaire_problem(resource: Mapping[str, Any]) -> Problem | None:
    canonical = resource.get("questionnaire")
    url = canonical.split("|", 1)[0] if isinstance(canonical, str) else None
    if url != QUESTIONNAIRE_URL:
        return Problem(
            "value",
            "QuestionnaireResponse.questionnaire",
            f"questionnaire must be {QUESTIONNAIRE_URL}",
        )
    return None


def read_answers(resource: Mapping[str, Any]) -> tuple[dict[str, object], list[Problem]]:
    """The answers of a QuestionnaireResponse to the screen, keyed by answer key, and every
    problem that stops it being recorded (none: record it)."""
    problems: list[Problem] = []
    if resource.get("resourceType") != "QuestionnaireResponse":
        where = "QuestionnaireResponse.resourceType"
        return {}, [Problem("structure", where, "expected a QuestionnaireResponse")]
    if (problem := _questionnaire_problem(resource)) is not None:
        problems.append(problem)
    if resource.get("status") != "completed":
        problems.append(
            Problem(
                "value",
                "QuestionnaireResponse.status",
                "status must be completed: only a finished screen is recorded",
            )
        )
    answers: dict[str, object] = {}
    for found in _items(resource):
        if isinstance(found, Problem):
            problems.append(found)
        else:
            answers[found[0]] = found[1]
    if not problems:
        problems.extend(_skip_logic(answers))
    return answers, problems


def parse_instant(value: object) -> dt.datetime | None:
    """A FHIR dateTime with a time and a zone as an aware datetime; None for anything else."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
